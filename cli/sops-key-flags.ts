import { type Command, Option } from 'commander';
import type { Recipient } from '../sops/index.ts';
import { CliError, EXIT_CODES } from './sops-io.ts';
import { type KeyFlagValues, parseKmsContext, recipientsFromFlags } from './sops-recipients.ts';

/** The key flags of `encrypt`, with the environment variables sops reads for them. */
export function addEncryptKeyFlags(command: Command): Command {
  return command
    .addOption(
      new Option('-k, --kms <arns>', 'comma-separated AWS KMS key ARNs (arn or arn+role_arn)').env(
        'SOPS_KMS_ARN',
      ),
    )
    .option('--aws-profile <name>', 'AWS profile for the KMS keys (stored in the file)')
    .addOption(
      new Option('--gcp-kms <ids>', 'comma-separated GCP KMS key resource IDs').env(
        'SOPS_GCP_KMS_IDS',
      ),
    )
    .addOption(
      new Option('--azure-kv <urls>', 'comma-separated Azure Key Vault key URLs').env(
        'SOPS_AZURE_KEYVAULT_URLS',
      ),
    )
    .addOption(
      new Option(
        '--hc-vault-transit <uris>',
        'comma-separated Vault transit key URIs (https://vault:8200/v1/transit/keys/name)',
      ).env('SOPS_VAULT_URIS'),
    );
}

/** `--encryption-context` (sops' name) and its alias `--aws-context`. */
export function addKmsContextFlags(command: Command): Command {
  return command
    .option('--encryption-context <pairs>', 'KMS encryption context, key:value,key:value')
    .option('--aws-context <pairs>', 'alias of --encryption-context');
}

/** `rotate`'s `--add-<type>` and `--rm-<type>` for the cloud key types. */
export function addRotateCloudFlags(command: Command): Command {
  for (const [flag, what] of [
    ['kms', 'AWS KMS key ARNs'],
    ['gcp-kms', 'GCP KMS key resource IDs'],
    ['azure-kv', 'Azure Key Vault key URLs'],
    ['hc-vault-transit', 'Vault transit key URIs'],
  ] as const) {
    command.option(`--add-${flag} <keys>`, `add these comma-separated ${what} to the first group`);
    command.option(`--rm-${flag} <keys>`, `remove these comma-separated ${what} from every group`);
  }
  return command;
}

/** The KMS encryption context from the flags; a malformed one exits with sops' code 6. */
export function kmsContextFromFlags(flags: {
  encryptionContext?: string;
  awsContext?: string;
}): Record<string, string> | undefined {
  try {
    return parseKmsContext(flags.encryptionContext ?? flags.awsContext);
  } catch (error) {
    throw new CliError(
      error instanceof Error ? error.message : 'invalid KMS encryption context',
      EXIT_CODES.invalidKmsEncryptionContextFormat,
    );
  }
}

/** Recipients named by key flags; a malformed key (e.g. a Vault URI) is a clear CLI error. */
export function recipientsFromKeyFlags(
  values: KeyFlagValues,
  context: Record<string, string> | undefined,
  awsProfile: string | undefined,
): Recipient[] {
  try {
    return recipientsFromFlags(values, context, awsProfile);
  } catch (error) {
    throw new CliError(
      error instanceof Error ? error.message : 'invalid key',
      EXIT_CODES.noEncryptionKeyFound,
    );
  }
}
