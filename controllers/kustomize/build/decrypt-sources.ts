import { parseAllDocuments } from 'yaml';
import { decryptFile } from '../../../sops/index.ts';
import type { DecryptionKeys } from './decryption-keys.ts';
import type { ReachableFile } from './reachable-files.ts';
import type { SecretRedactor } from './secret-redactor.ts';
import { hasSopsMarker } from './sops-markers.ts';
import { decryptionFailed, decryptionNotConfigured } from './sops-step-error.ts';

/** Flux's limit on one encrypted file. */
export const maxEncryptedFileBytes = 5 * 1024 * 1024;

export const decryptDisabledAnnotation = 'kustomize.toolkit.fluxcd.io/decrypt';

export interface DecryptSourcesInput {
  files: ReadonlyMap<string, Uint8Array>;
  reachable: readonly ReachableFile[];
  keys: DecryptionKeys | undefined;
  /** Whether `spec.decryption.provider` is `sops`. */
  decryptionEnabled: boolean;
  redactor: SecretRedactor;
  signal: AbortSignal;
}

/**
 * Decrypts, in memory and with the MAC verified, every reachable file that carries SOPS
 * metadata, returning the plaintext by path to overlay on the tree. Files without the marker
 * are left alone; a resource whose objects opt out with `kustomize.toolkit.fluxcd.io/decrypt:
 * disabled` too.
 */
export async function decryptSources(input: DecryptSourcesInput): Promise<Map<string, Uint8Array>> {
  const plaintext = new Map<string, Uint8Array>();
  for (const file of input.reachable) {
    input.signal.throwIfAborted();
    const bytes = input.files.get(file.path);
    if (bytes === undefined || !hasSopsMarker(bytes, file.format)) continue;
    if (file.role === 'resource' && isDecryptionDisabled(bytes)) continue;
    if (!input.decryptionEnabled || input.keys === undefined)
      throw decryptionNotConfigured(file.path, input.decryptionEnabled);
    try {
      const decrypted = await decryptFile(bytes, {
        format: file.format,
        keySources: input.keys.keySources,
        path: file.path,
        maxInputBytes: maxEncryptedFileBytes,
      });
      input.redactor.remember(bytes, decrypted.plaintext);
      plaintext.set(file.path, decrypted.plaintext);
    } catch (error) {
      throw decryptionFailed(file.path, error);
    }
  }
  return plaintext;
}

function isDecryptionDisabled(bytes: Uint8Array): boolean {
  try {
    const docs = parseAllDocuments(Buffer.from(bytes).toString('utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    return list.some((doc) => {
      const value: unknown = doc.getIn(['metadata', 'annotations', decryptDisabledAnnotation]);
      return typeof value === 'string' && value.toLowerCase() === 'disabled';
    });
  } catch {
    return false;
  }
}
