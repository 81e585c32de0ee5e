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
${EXIT_CODES_HELP}`,
    );
  registerCryptCommands(sops);
  registerKeyCommands(sops);
  registerEditCommand(sops);
}
