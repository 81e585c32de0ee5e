import type { Command } from 'commander';
import { registerCryptCommands } from './sops-crypt-commands.ts';
import { registerEditCommand } from './sops-edit-command.ts';
import { EXIT_CODES_HELP } from './sops-io.ts';
import { registerKeyCommands } from './sops-key-commands.ts';

/** `kustodian sops …`: a sops-compatible CLI on the same engine the controller uses. */
export function registerSopsCommand(program: Command): void {
  const sops = program
    .command('sops')
    .description('encrypt, decrypt and manage SOPS files (compatible with getsops/sops v3)')
    .addHelpText(
      'after',
      `
Keys are found as sops finds them: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD,
<config dir>/sops/age/keys.txt and SSH keys (SOPS_AGE_SSH_PRIVATE_KEY_FILE / _CMD, else
~/.ssh/id_ed25519 and ~/.ssh/id_rsa) for age; OpenPGP through gpg (GNUPGHOME).
Cloud keys use the same credentials as sops: Vault transit from VAULT_TOKEN, else
~/.vault-token (VAULT_NAMESPACE, SOPS_HC_VAULT_ALLOWLIST); AWS KMS from the AWS SDK's
default chain (environment, AWS_PROFILE / the key's aws_profile, web identity, instance
role) with AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL honoured.
Each key service call gives up after 30 s (retries with backoff included).
${EXIT_CODES_HELP}`,
    );
  registerCryptCommands(sops);
  registerKeyCommands(sops);
  registerEditCommand(sops);
}
