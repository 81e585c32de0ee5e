import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  keyGroupsMatch,
  loadEncryptedFile,
  type Recipient,
  rotateFile,
  updateKeysFile,
} from '../sops/index.ts';
import { matchCreationRule } from './sops-config.ts';
import { parseDecryptionOrder } from './sops-crypt-commands.ts';
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
  addKmsContextFlags,
  addRotateCloudFlags,
  kmsContextFromFlags,
  recipientsFromKeyFlags,
} from './sops-key-flags.ts';
import { discoverKeySources } from './sops-keys.ts';

type KeyKind = 'Age' | 'Pgp' | 'Kms' | 'GcpKms' | 'AzureKv' | 'HcVaultTransit';
type RotateKeyFlags = { [K in `${'add' | 'rm'}${KeyKind}`]?: string };

interface RotateFlags extends RotateKeyFlags {
  inPlace?: boolean;
  output?: string;
  inputType?: string;
  ignoreMac?: boolean;
  decryptionOrder?: string;
  encryptionContext?: string;
  awsContext?: string;
}

// `--add-kms`/`--rm-kms` etc. as recipients; KMS keys get the --encryption-context, as in sops.
function rotateRecipients(flags: RotateFlags, op: 'add' | 'rm'): Recipient[] {
  return recipientsFromKeyFlags(
    {
      age: flags[`${op}Age`],
      pgp: flags[`${op}Pgp`],
      kms: flags[`${op}Kms`],
      gcpKms: flags[`${op}GcpKms`],
      azureKv: flags[`${op}AzureKv`],
      hcVaultTransit: flags[`${op}HcVaultTransit`],
    },
    kmsContextFromFlags(flags),
    undefined,
  );
}

async function rotateAction(file: string | undefined, flags: RotateFlags): Promise<void> {
  const bytes = await readInput(file);
  const path = file as string;
  const order = parseDecryptionOrder(flags.decryptionOrder ?? process.env.SOPS_DECRYPTION_ORDER);
  const rotated = await rotateFile(bytes, {
    format: parseFormat(flags.inputType, path),
    path,
    keySources: discoverKeySources(),
    verifyMac: !flags.ignoreMac,
    ...(order ? { decryptionOrder: order } : {}),
    add: rotateRecipients(flags, 'add'),
    remove: rotateRecipients(flags, 'rm'),
  });
  await writeOutput(rotated, flags, path);
}

// Answers "no" when stdin closes without an answer (no terminal, nothing piped).
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.question(question).then(resolve, () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function updatekeysAction(
  file: string | undefined,
  flags: {
    yes?: boolean;
    inputType?: string;
    config?: string;
    shamirSecretSharingThreshold?: string;
  },
): Promise<void> {
  const bytes = await readInput(file);
  const path = file as string;
  const config = resolveConfig(flags.config);
  if (!config)
    throw new CliError(
      'no .sops.yaml found; updatekeys needs creation rules',
      EXIT_CODES.configFileNotFound,
    );
  const rule = matchCreationRule(config, path);
  if (!rule || rule.keyGroups.length === 0)
    throw new CliError(
      `${path}: the matching creation rule has no keys`,
      EXIT_CODES.noEncryptionKeyFound,
    );
  const format = parseFormat(flags.inputType, path);
  const threshold = flags.shamirSecretSharingThreshold
    ? Number(flags.shamirSecretSharingThreshold)
    : rule.shamirThreshold;
  const current = loadEncryptedFile(bytes, { format, path }).metadata;
  const describe = (groups: Recipient[][]) =>
    groups
      .map((g, i) => `  group ${i}: ${g.map((r) => `${r.type} ${r.id}`).join(', ')}`)
      .join('\n');
  const options = {
    format,
    path,
    keySources: discoverKeySources(),
    keyGroups: rule.keyGroups,
    storeOptions: config.storeOptions,
    ...(threshold > 0 ? { shamirThreshold: threshold } : {}),
  };
  if (keyGroupsMatch(current, rule.keyGroups, threshold > 0 ? threshold : undefined)) {
    process.stderr.write(`${path}: already up to date\n`);
    return;
  }
  process.stderr.write(
    `The following changes will be made to ${path}:\n${describe(rule.keyGroups)}\n(currently ${current.keyGroups.length} group(s))\n`,
  );
  if (!flags.yes && !(await confirm('Is this okay? (y/n): '))) {
    process.stderr.write('Changes not applied\n');
    return;
  }
  const updated = await updateKeysFile(bytes, options);
  if (updated) await writeOutput(updated, { inPlace: true }, path);
  process.stderr.write(`${path}: key groups updated\n`);
}

export function registerKeyCommands(sops: Command): void {
  const rotate = sops
    .command('rotate')
    .argument('[file]')
    .description('generate a new data key and re-encrypt every value')
    .option('-i, --in-place', 'write the result back to the file (atomically)')
    .option('--output <path>', 'write the result to this file')
    .option('--input-type <type>', 'yaml, json, dotenv, ini or binary')
    .option('--add-age <recipients>', 'add age recipients to the first key group')
    .option('--rm-age <recipients>', 'remove age recipients from every group')
    .option('--add-pgp <fingerprints>', 'add PGP keys to the first key group')
    .option('--rm-pgp <fingerprints>', 'remove PGP keys from every group')
    .option('--ignore-mac', 'skip the MAC check')
    .option(
      '--decryption-order <types>',
      'key types to try first (default: SOPS_DECRYPTION_ORDER, else age,pgp)',
    );
  addKmsContextFlags(addRotateCloudFlags(rotate)).action(
    (file: string | undefined, flags: RotateFlags) => runAction(() => rotateAction(file, flags)),
  );

  sops
    .command('updatekeys')
    .argument('[file]')
    .description('re-wrap the data key for the keys the .sops.yaml creation rule lists')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--input-type <type>', 'yaml, json, dotenv, ini or binary')
    .option('--config <path>', 'path to .sops.yaml')
    .option('--shamir-secret-sharing-threshold <n>', 'number of key groups needed to decrypt')
    .action(
      (file: string | undefined, flags: { yes?: boolean; inputType?: string; config?: string }) =>
        runAction(() => updatekeysAction(file, flags)),
    );
}
