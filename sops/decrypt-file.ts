import { decryptScalar } from './cipher.ts';
import { DEFAULT_DECRYPTION_ORDER, recoverDataKey } from './data-key.ts';
import { SopsError, withPath } from './errors.ts';
import type { KeySource } from './keys/key-source.ts';
import type { KeyType, Metadata } from './metadata.ts';
import { parseMetadata } from './metadata.ts';
import type { Format, StoreOptions } from './stores/index.ts';
import { checkInputSize, formatForPath, storeFor } from './stores/index.ts';
import type { TreeBranches } from './tree.ts';
import { decryptTree } from './walk.ts';

export interface DecryptOptions {
  /** The store format; defaults to the one `path`'s extension implies. */
  format?: Format;
  /** Where to look for master keys; tried in `decryptionOrder`. */
  keySources: readonly KeySource[];
  /** The file name, used for format detection and in every error message. */
  path?: string;
  /** Verify the MAC (default true). Turn off only on purpose, like `sops --ignore-mac`. */
  verifyMac?: boolean;
  decryptionOrder?: readonly KeyType[];
  storeOptions?: StoreOptions;
  /** Refuse larger input (default 32 MiB for structured formats, 512 MiB for binary). */
  maxInputBytes?: number;
}

export interface DecryptedFile {
  /** Exactly what `sops --decrypt` prints. */
  plaintext: Uint8Array;
  branches: TreeBranches;
  metadata: Metadata;
  dataKey: Uint8Array;
}

export interface LoadedFile {
  format: Format;
  branches: TreeBranches;
  metadata: Metadata;
}

/** sops's MAC AAD: `lastmodified` re-formatted with Go's RFC 3339 layout (no fraction). */
export function macAad(lastmodified: string): string {
  return lastmodified.replace(/\.\d+/, '').replace(/[Tt]/, 'T').replace(/z$/, 'Z');
}

function checkVersion(version: string): void {
  if (!/^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(version) && !version.startsWith('1.')) {
    throw new SopsError(
      'UnsupportedVersion',
      `sops metadata has an invalid version "${version.slice(0, 32)}"`,
    );
  }
}

/** Parses an encrypted file into its encrypted branches and metadata, without any key. */
export function loadEncryptedFile(
  bytes: Uint8Array,
  options: {
    format?: Format;
    path?: string;
    storeOptions?: StoreOptions;
    maxInputBytes?: number;
  } = {},
): LoadedFile {
  const format = options.format ?? formatForPath(options.path ?? '');
  try {
    // Encrypted binary files are JSON envelopes of base64: allow for the growth.
    checkInputSize(
      format,
      format === 'binary' ? (bytes.length * 3) / 4 : bytes.length,
      options.maxInputBytes,
    );
    const loaded = storeFor(format, options.storeOptions).loadEncrypted(bytes);
    if (!loaded.metadata)
      throw new SopsError(
        'MetadataNotFound',
        'sops metadata not found; is this file encrypted with sops?',
      );
    const metadata = parseMetadata(loaded.metadata);
    checkVersion(metadata.version);
    return { format, branches: loaded.branches, metadata };
  } catch (error) {
    throw withPath(error, options.path);
  }
}

/**
 * Decrypts a SOPS file: recovers the data key from the key groups, decrypts every value and
 * verifies the MAC. The plaintext equals `sops --decrypt`'s output.
 */
export async function decryptFile(
  bytes: Uint8Array,
  options: DecryptOptions,
): Promise<DecryptedFile> {
  const loaded = loadEncryptedFile(bytes, options);
  try {
    const { metadata } = loaded;
    const dataKey = await recoverDataKey(
      metadata,
      options.keySources,
      options.decryptionOrder ?? DEFAULT_DECRYPTION_ORDER,
    );
    const { branches, mac } = decryptTree(loaded.branches, dataKey, metadata);
    if (options.verifyMac !== false) verifyMac(metadata, dataKey, mac);
    const plaintext = storeFor(loaded.format, options.storeOptions).emitPlain(branches);
    return { plaintext, branches, metadata, dataKey };
  } catch (error) {
    throw withPath(error, options.path);
  }
}

/** Compares the stored MAC with the computed one; the message never shows either value. */
export function verifyMac(metadata: Metadata, dataKey: Uint8Array, computed: string): void {
  if (metadata.mac === '')
    throw new SopsError(
      'MacMismatch',
      'MAC mismatch: the file has no MAC; re-encrypt it with sops',
    );
  let stored: string;
  try {
    const value = decryptScalar(metadata.mac, dataKey, macAad(metadata.lastmodified));
    stored = value.type === 'str' ? value.value : '';
  } catch {
    throw new SopsError(
      'MacMismatch',
      'MAC mismatch: cannot decrypt the MAC (the MAC or lastmodified was changed after it was encrypted)',
    );
  }
  if (stored !== computed)
    throw new SopsError('MacMismatch', 'MAC mismatch: the file was changed after it was encrypted');
}
