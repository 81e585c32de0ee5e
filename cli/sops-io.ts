import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  FORMATS,
  type Format,
  formatForPath,
  SopsError,
  type SopsErrorCode,
} from '../sops/index.ts';
import { findConfigFile, loadConfig, type SopsConfig } from './sops-config.ts';

/** sops's exit codes, so scripts written for sops keep working. */
export const EXIT_CODES = {
  generic: 1,
  couldNotReadInputFile: 2,
  couldNotWriteOutputFile: 3,
  errorReadingConfig: 5,
  invalidKmsEncryptionContextFormat: 6,
  conflictingParameters: 8,
  errorEncryptingTree: 23,
  errorDecryptingTree: 25,
  macMismatch: 51,
  configFileNotFound: 61,
  invalidTreePathFormat: 91,
  noFileSpecified: 100,
  noEncryptionKeyFound: 111,
  duplicateDecryptionKeyType: 112,
  couldNotRetrieveKey: 128,
  fileHasNotBeenModified: 200,
  noEditorFound: 201,
  failedToCompareVersions: 202,
  fileAlreadyEncrypted: 203,
} as const;

export const EXIT_CODES_HELP = `
Exit codes (as sops):
  1    generic error            2  could not read the input file
  3    could not write output   5  error reading .sops.yaml
  6    invalid KMS encryption context
  23   could not encrypt        25 could not decrypt a value
  51   MAC mismatch             91 invalid --extract path
  100  no file specified        111 no encryption key given or configured
  112  a key type appears twice in --decryption-order
  128  no key could decrypt the data key
  200  edit: file not modified  202 invalid version in the file
  203  file already encrypted`;

const CODE_EXITS: Record<SopsErrorCode, number> = {
  InvalidInput: EXIT_CODES.generic,
  MetadataNotFound: EXIT_CODES.generic,
  InvalidMetadata: EXIT_CODES.generic,
  UnsupportedVersion: EXIT_CODES.failedToCompareVersions,
  DataKeyUnavailable: EXIT_CODES.couldNotRetrieveKey,
  ValueDecryptionFailed: EXIT_CODES.errorDecryptingTree,
  MacMismatch: EXIT_CODES.macMismatch,
  AlreadyEncrypted: EXIT_CODES.fileAlreadyEncrypted,
  EncryptionFailed: EXIT_CODES.errorEncryptingTree,
  InvalidRule: EXIT_CODES.generic,
};

/** A CLI failure with the exit code sops would use. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Runs an action, setting the process exit code from the error before main prints it. */
export async function runAction(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    process.exitCode =
      error instanceof CliError
        ? error.exitCode
        : error instanceof SopsError
          ? CODE_EXITS[error.code]
          : EXIT_CODES.generic;
    throw error;
  }
}

export function parseFormat(value: string | undefined, path: string): Format {
  if (value === undefined) return formatForPath(path);
  if (!(FORMATS as readonly string[]).includes(value))
    throw new CliError(
      `unknown type "${value}"; use one of ${FORMATS.join(', ')}`,
      EXIT_CODES.generic,
    );
  return value as Format;
}

export async function readInput(path: string | undefined): Promise<Buffer> {
  if (!path) throw new CliError('no file specified', EXIT_CODES.noFileSpecified);
  try {
    // One blocking read: the promise API reads a large file in chunks, an event-loop turn each,
    // and a one-shot command has nothing to do meanwhile.
    return readFileSync(path);
  } catch {
    throw new CliError(`${path}: could not read the file`, EXIT_CODES.couldNotReadInputFile);
  }
}

/** Writes through a temporary file and a rename, so a failure never leaves a partial file. */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const mode = await stat(path).then(
      (s) => s.mode & 0o777,
      () => 0o600,
    );
    await writeFile(temp, bytes, { mode });
    await rename(temp, path);
  } catch {
    await rm(temp, { force: true });
    throw new CliError(`${path}: could not write the file`, EXIT_CODES.couldNotWriteOutputFile);
  }
}

export async function writeOutput(
  bytes: Uint8Array,
  options: { inPlace?: boolean; output?: string },
  file: string,
): Promise<void> {
  if (options.inPlace) await writeAtomic(file, bytes);
  else if (options.output) await writeAtomic(options.output, bytes);
  else process.stdout.write(bytes);
}

/** `--config`, `SOPS_CONFIG`, or `.sops.yaml` from the working directory upwards. */
export function resolveConfig(explicit: string | undefined): SopsConfig | undefined {
  const path = explicit ?? process.env.SOPS_CONFIG ?? findConfigFile(process.cwd());
  if (!path) return undefined;
  try {
    return loadConfig(path);
  } catch {
    throw new CliError(
      `${path}: could not read the sops config file`,
      EXIT_CODES.errorReadingConfig,
    );
  }
}
