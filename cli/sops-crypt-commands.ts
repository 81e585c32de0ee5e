import type { Command } from 'commander';
import {
  decryptFile,
  type EncryptionRules,
  encryptFile,
  type KeyType,
  loadEncryptedFile,
  SopsError,
  storeFor,
  type TreeMap,
  type TreeValue,
} from '../sops/index.ts';
import { matchCreationRule } from './sops-config.ts';
import {
  CliError,
  EXIT_CODES,
  parseFormat,
  readInput,
  resolveConfig,
  runAction,
  writeOutput,
} from './sops-io.ts';
import {
  addEncryptKeyFlags,
  addKmsContextFlags,
  kmsContextFromFlags,
  recipientsFromKeyFlags,
} from './sops-key-flags.ts';
import { discoverKeySources } from './sops-keys.ts';
import type { KeyFlagValues } from './sops-recipients.ts';

interface DecryptFlags {
  decryptionOrder?: string;
  inPlace?: boolean;
  output?: string;
  extract?: string;
  inputType?: string;
  outputType?: string;
  ignoreMac?: boolean;
  config?: string;
}

/** Parses sops's `--extract '["a"]["b"][0]'` path. */
export function parseExtractPath(text: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const pattern = /\[(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\d+))\]/gy;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    parts.push(
      match[3] !== undefined
        ? Number(match[3])
        : (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1'),
    );
    last = pattern.lastIndex;
  }
  if (last !== text.length || parts.length === 0)
    throw new CliError(
      `invalid --extract path "${text}"; expected e.g. '["a"]["b"]'`,
      EXIT_CODES.invalidTreePathFormat,
    );
  return parts;
}

function extractValue(branch: TreeMap, path: Array<string | number>): TreeValue {
  let node: TreeValue = branch;
  for (const step of path) {
    let next: TreeValue | undefined;
    if (typeof step === 'number' && node.type === 'seq') {
      next = node.items.filter((i) => (i as { type: string }).type !== 'comment')[step] as
        | TreeValue
        | undefined;
    } else if (node.type === 'map') {
      const item = node.items.find((i) => 'key' in i && i.key === String(step));
      next = item && 'key' in item ? item.value : undefined;
    }
    if (!next)
      throw new CliError(`component ${JSON.stringify(step)} not found`, EXIT_CODES.generic);
    node = next;
  }
  return node;
}

const KEY_TYPES: readonly KeyType[] = [
  'age',
  'pgp',
  'kms',
  'gcp_kms',
  'hckms',
  'azure_kv',
  'hc_vault',
];

/** `--decryption-order` / `SOPS_DECRYPTION_ORDER`: comma-separated key types, no duplicates. */
export function parseDecryptionOrder(text: string | undefined): KeyType[] | undefined {
  if (!text) return undefined;
  const order = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = order.find((t) => !(KEY_TYPES as readonly string[]).includes(t));
  if (unknown)
    throw new CliError(
      `unknown key type "${unknown}" in the decryption order; use ${KEY_TYPES.join(', ')}`,
      EXIT_CODES.generic,
    );
  if (new Set(order).size !== order.length)
    throw new CliError(
      'a key type appears twice in the decryption order',
      EXIT_CODES.duplicateDecryptionKeyType,
    );
  return order as KeyType[];
}

async function decryptAction(file: string | undefined, flags: DecryptFlags): Promise<void> {
  const bytes = await readInput(file);
  const path = file as string;
  const config = resolveConfig(flags.config);
  const format = parseFormat(flags.inputType, path);
  const outputFormat = parseFormat(flags.outputType ?? flags.inputType, path);
  const order = parseDecryptionOrder(flags.decryptionOrder ?? process.env.SOPS_DECRYPTION_ORDER);
  const decrypted = await decryptFile(bytes, {
    ...(order ? { decryptionOrder: order } : {}),
    format,
    path,
    keySources: discoverKeySources(),
    verifyMac: !flags.ignoreMac,
    ...(config ? { storeOptions: config.storeOptions } : {}),
  });
  const store = storeFor(outputFormat, config?.storeOptions);
  let out: Uint8Array =
    format === outputFormat ? decrypted.plaintext : store.emitPlain(decrypted.branches);
  if (flags.extract) {
    const value = extractValue(
      decrypted.branches[0] ?? { type: 'map', items: [] },
      parseExtractPath(flags.extract),
    );
    if (value.type === 'str') out = value.bytes ?? Buffer.from(value.value, 'utf8');
    else if (value.type === 'map') out = store.emitPlain([value]);
    else if (value.type === 'seq')
      throw new CliError(
        'extracting a list is not supported; extract one of its elements',
        EXIT_CODES.generic,
      );
    else out = Buffer.from(`${value.type === 'null' ? 'null' : String(value.value)}\n`);
  }
  await writeOutput(out, flags, path);
}

interface EncryptFlags extends DecryptFlags, KeyFlagValues {
  awsProfile?: string;
  encryptionContext?: string;
  awsContext?: string;
  shamirSecretSharingThreshold?: string;
  encryptedRegex?: string;
  unencryptedRegex?: string;
  encryptedSuffix?: string;
  unencryptedSuffix?: string;
  encryptedCommentRegex?: string;
  unencryptedCommentRegex?: string;
  macOnlyEncrypted?: boolean;
}

async function encryptAction(file: string | undefined, flags: EncryptFlags): Promise<void> {
  const bytes = await readInput(file);
  const path = file as string;
  const config = resolveConfig(flags.config);
  const format = parseFormat(flags.inputType, path);
  const context = kmsContextFromFlags(flags);
  const cliKeys = recipientsFromKeyFlags(flags, context, flags.awsProfile);
  const rule =
    cliKeys.length === 0 && config ? matchCreationRule(config, path, context) : undefined;
  const keyGroups = cliKeys.length > 0 ? [cliKeys] : (rule?.keyGroups ?? []);
  if (keyGroups.length === 0)
    throw new CliError(
      'no encryption key: give --age, --pgp, --kms, --gcp-kms, --azure-kv or --hc-vault-transit, or a .sops.yaml creation rule',
      EXIT_CODES.noEncryptionKeyFound,
    );
  const cliRules: EncryptionRules = {};
  if (flags.encryptedRegex) cliRules.encrypted_regex = flags.encryptedRegex;
  if (flags.unencryptedRegex) cliRules.unencrypted_regex = flags.unencryptedRegex;
  if (flags.encryptedSuffix) cliRules.encrypted_suffix = flags.encryptedSuffix;
  if (flags.unencryptedSuffix) cliRules.unencrypted_suffix = flags.unencryptedSuffix;
  if (flags.encryptedCommentRegex) cliRules.encrypted_comment_regex = flags.encryptedCommentRegex;
  if (flags.unencryptedCommentRegex)
    cliRules.unencrypted_comment_regex = flags.unencryptedCommentRegex;
  const selection = Object.keys(cliRules).length > 0 ? cliRules : { ...(rule?.rules ?? {}) };
  if (flags.macOnlyEncrypted || rule?.rules.mac_only_encrypted) selection.mac_only_encrypted = true;
  const threshold = flags.shamirSecretSharingThreshold
    ? Number(flags.shamirSecretSharingThreshold)
    : (rule?.shamirThreshold ?? 0);
  const encrypted = await encryptFile(bytes, {
    format,
    path,
    keyGroups,
    ...(threshold > 0 ? { shamirThreshold: threshold } : {}),
    rules: selection,
    keySources: discoverKeySources(),
    ...(config ? { storeOptions: config.storeOptions } : {}),
  });
  await writeOutput(encrypted, flags, path);
}

async function filestatusAction(
  file: string | undefined,
  flags: { inputType?: string },
): Promise<void> {
  const bytes = await readInput(file);
  let encrypted = true;
  try {
    loadEncryptedFile(bytes, { format: parseFormat(flags.inputType, file as string) });
  } catch (error) {
    if (!(error instanceof SopsError) || error.code !== 'MetadataNotFound') throw error;
    encrypted = false;
  }
  process.stdout.write(`${JSON.stringify({ encrypted })}\n`);
}

function typeOptions(command: Command): Command {
  return command
    .option(
      '--input-type <type>',
      'yaml, json, dotenv, ini or binary (default: from the extension)',
    )
    .option('--output-type <type>', 'format of the output (default: the input type)')
    .option(
      '--config <path>',
      'path to .sops.yaml (default: SOPS_CONFIG, or found upwards from the working directory)',
    );
}

export function registerCryptCommands(sops: Command): void {
  typeOptions(
    sops
      .command('decrypt')
      .argument('[file]')
      .description('decrypt a file and print it (or write it with --in-place / --output)'),
  )
    .option('-i, --in-place', 'write the result back to the file (atomically)')
    .option('--output <path>', 'write the result to this file')
    .option('--extract <path>', 'print only this value, e.g. \'["data"]["password"]\'')
    .option('--ignore-mac', 'skip the MAC check (the file may have been tampered with)')
    .option(
      '--decryption-order <types>',
      'key types to try first, e.g. "pgp,age" (default: SOPS_DECRYPTION_ORDER, else age,pgp)',
    )
    .action((file: string | undefined, flags: DecryptFlags) =>
      runAction(() => decryptAction(file, flags)),
    );

  addKmsContextFlags(
    addEncryptKeyFlags(
      typeOptions(
        sops
          .command('encrypt')
          .argument('[file]')
          .description(
            'encrypt a file for age, PGP, AWS KMS, GCP KMS, Azure Key Vault or Vault keys',
          ),
      ),
    ),
  )
    .option('-i, --in-place', 'write the result back to the file (atomically)')
    .option('--output <path>', 'write the result to this file')
    .option('--age <recipients>', 'comma-separated age recipients')
    .option('--pgp <fingerprints>', 'comma-separated PGP fingerprints')
    .option('--shamir-secret-sharing-threshold <n>', 'number of key groups needed to decrypt')
    .option('--encrypted-regex <re>', 'encrypt only values whose key path matches')
    .option('--unencrypted-regex <re>', 'leave values whose key path matches in clear text')
    .option('--encrypted-suffix <s>', 'encrypt only values under keys with this suffix')
    .option('--unencrypted-suffix <s>', 'leave values under keys with this suffix in clear text')
    .option('--encrypted-comment-regex <re>', 'encrypt only values after a matching comment')
    .option(
      '--unencrypted-comment-regex <re>',
      'leave values after a matching comment in clear text',
    )
    .option('--mac-only-encrypted', 'compute the MAC over encrypted values only')
    .action((file: string | undefined, flags: EncryptFlags) =>
      runAction(() => encryptAction(file, flags)),
    );

  sops
    .command('filestatus')
    .argument('[file]')
    .description('print {"encrypted":true|false} for a file')
    .option('--input-type <type>', 'yaml, json, dotenv, ini or binary')
    .action((file: string | undefined, flags: { inputType?: string }) =>
      runAction(() => filestatusAction(file, flags)),
    );
}
