import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { decryptFile, reencryptEdited } from '../sops/index.ts';
import {
  CliError,
  EXIT_CODES,
  parseFormat,
  readInput,
  resolveConfig,
  runAction,
  writeAtomic,
} from './sops-io.ts';
import { discoverKeySources } from './sops-keys.ts';

function runEditor(file: string): Promise<number | null> {
  const editor = process.env.SOPS_EDITOR || process.env.EDITOR || 'vi';
  return new Promise((resolve, reject) => {
    // Like sops, the editor variable may carry arguments ("code --wait").
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'sops-editor', file], { stdio: 'inherit' });
    child.on('error', () =>
      reject(new CliError(`could not run the editor "${editor}"`, EXIT_CODES.noEditorFound)),
    );
    child.on('close', resolve);
  });
}

/** `sops edit`: plaintext in a private temp file, re-encrypted with the same data key on save. */
async function editAction(
  file: string | undefined,
  flags: { inputType?: string; config?: string; ignoreMac?: boolean },
): Promise<void> {
  const original = await readInput(file);
  const path = file as string;
  const config = resolveConfig(flags.config);
  const format = parseFormat(flags.inputType, path);
  const options = {
    format,
    path,
    keySources: discoverKeySources(),
    verifyMac: !flags.ignoreMac,
    ...(config ? { storeOptions: config.storeOptions } : {}),
  };
  const decrypted = await decryptFile(original, options);
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-sops-edit-'));
  try {
    const temp = join(dir, basename(path));
    await writeFile(temp, decrypted.plaintext, { mode: 0o600 });
    const code = await runEditor(temp);
    if (code !== 0)
      throw new CliError(
        `the editor exited with code ${code}; ${path} was not changed`,
        EXIT_CODES.generic,
      );
    const edited = await readFile(temp);
    if (edited.equals(Buffer.from(decrypted.plaintext)))
      throw new CliError(
        `${path}: file has not changed, not writing`,
        EXIT_CODES.fileHasNotBeenModified,
      );
    await writeAtomic(path, await reencryptEdited(original, edited, options));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function registerEditCommand(sops: Command): void {
  sops
    .command('edit')
    .argument('[file]')
    .description('open the decrypted file in $SOPS_EDITOR / $EDITOR and re-encrypt it on save')
    .option('--input-type <type>', 'yaml, json, dotenv, ini or binary')
    .option('--config <path>', 'path to .sops.yaml')
    .option('--ignore-mac', 'skip the MAC check')
    .action((file: string | undefined, flags: { inputType?: string }) =>
      runAction(() => editAction(file, flags)),
    );
}
