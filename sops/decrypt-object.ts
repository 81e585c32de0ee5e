import type { DecryptOptions } from './decrypt-file.ts';
import { decryptFile } from './decrypt-file.ts';
import { SopsError } from './errors.ts';
import { toPlain } from './metadata.ts';

/** Whether a parsed manifest carries SOPS metadata (a top-level `sops` mapping). */
export function isSopsEncryptedObject(
  object: unknown,
): object is Record<string, unknown> & { sops: Record<string, unknown> } {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return false;
  const sops = (object as Record<string, unknown>).sops;
  return sops !== null && typeof sops === 'object' && !Array.isArray(sops) && 'mac' in sops;
}

/**
 * Decrypts a manifest object that was SOPS-encrypted (e.g. a Secret in a kustomize build), as
 * Flux's kustomize-controller does: through the JSON store. Key paths and values, not the
 * document's formatting, feed the MAC, so a YAML-encrypted file decrypts the same way.
 * Files encrypted with a comment rule need {@link decryptFile} on the original bytes: a parsed
 * object has lost the comments that select the encrypted values.
 */
export async function decryptObject(
  object: unknown,
  options: Omit<DecryptOptions, 'format'>,
): Promise<Record<string, unknown>> {
  if (!isSopsEncryptedObject(object))
    throw new SopsError('MetadataNotFound', 'sops metadata not found in the object', {
      path: options.path,
    });
  const decrypted = await decryptFile(Buffer.from(JSON.stringify(object), 'utf8'), {
    ...options,
    format: 'json',
  });
  const branch = decrypted.branches[0];
  if (!branch)
    throw new SopsError('InvalidInput', 'the decrypted object is empty', { path: options.path });
  return toPlain(branch) as Record<string, unknown>;
}
