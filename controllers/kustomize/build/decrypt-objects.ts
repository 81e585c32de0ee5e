import {
  decryptFile,
  decryptObject,
  type Format,
  isSopsEncryptedObject,
  storeFor,
} from '../../../sops/index.ts';
import type { KubeObject } from './build-manifests.ts';
import { decryptDisabledAnnotation, maxEncryptedFileBytes } from './decrypt-sources.ts';
import type { DecryptionKeys } from './decryption-keys.ts';
import { generatorFileFormat } from './reachable-files.ts';
import { detectSopsFormat } from './sops-markers.ts';
import { decryptionFailed, decryptionNotConfigured } from './sops-step-error.ts';

function describeObject(object: KubeObject): string {
  const ns = typeof object.metadata.namespace === 'string' ? `${object.metadata.namespace}/` : '';
  return `${object.kind}/${ns}${String(object.metadata.name)}`;
}

function isDecryptionDisabled(object: KubeObject): boolean {
  const annotations = object.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null) return false;
  const value = (annotations as Record<string, unknown>)[decryptDisabledAnnotation];
  return typeof value === 'string' && value.toLowerCase() === 'disabled';
}

/**
 * Decrypts, after the build, what still carries SOPS data, as Flux does: whole objects with
 * SOPS metadata (from remote bases or left encrypted before the build) and Secret `data`
 * values holding a SOPS document or binary envelope (a generator fed an encrypted file). The
 * MAC is not checked here, as in Flux: the build has already added labels, namespaces and
 * prefixes to these objects, so the stored MAC cannot match.
 *
 * Without keys, an encrypted object is refused (Flux refuses to apply it); Secret values that
 * merely look like SOPS data are left as they are, as Flux does when decryption is off.
 */
export async function decryptObjects(
  objects: readonly KubeObject[],
  keys: DecryptionKeys | undefined,
): Promise<KubeObject[]> {
  const result: KubeObject[] = [];
  for (const object of objects) {
    if (isDecryptionDisabled(object)) {
      result.push(object);
      continue;
    }
    if (isSopsEncryptedObject(object)) {
      if (keys === undefined) throw decryptionNotConfigured(describeObject(object), false);
      try {
        const plain = await decryptObject(object, {
          keySources: keys.keySources,
          path: describeObject(object),
          verifyMac: false,
          maxInputBytes: maxEncryptedFileBytes,
        });
        result.push(plain as KubeObject);
      } catch (error) {
        throw decryptionFailed(describeObject(object), error);
      }
      continue;
    }
    result.push(
      object.kind === 'Secret' && keys !== undefined
        ? await decryptSecretData(object, keys)
        : object,
    );
  }
  return result;
}

async function decryptSecretData(secret: KubeObject, keys: DecryptionKeys): Promise<KubeObject> {
  const data = secret.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return secret;
  const decrypted: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  let changed = false;
  for (const [key, value] of Object.entries(decrypted)) {
    if (typeof value !== 'string') continue;
    // Not base64: the apiserver will say so; not ours to judge.
    const bytes = decodeBase64(value);
    const format = bytes && detectSopsFormat(bytes);
    if (bytes === undefined || format === undefined) continue;
    const where = `${describeObject(secret)} data key '${key}'`;
    try {
      const out = await decryptFile(bytes, {
        format,
        keySources: keys.keySources,
        path: where,
        verifyMac: false,
        maxInputBytes: maxEncryptedFileBytes,
      });
      decrypted[key] = Buffer.from(reformat(out, format, generatorFileFormat(key))).toString(
        'base64',
      );
      changed = true;
    } catch (error) {
      throw decryptionFailed(where, error);
    }
  }
  return changed ? { ...secret, data: decrypted } : secret;
}

/**
 * The plaintext in the format the key's name asks for, as Flux emits it. A binary envelope
 * always yields its raw content: re-emitting it as a document of its `data` field (what the
 * Go stores would do for a `.yaml` key) helps no one.
 */
function reformat(
  out: Awaited<ReturnType<typeof decryptFile>>,
  input: Format,
  output: Format,
): Uint8Array {
  if (input === 'binary' || input === output || output === 'binary') return out.plaintext;
  return storeFor(output).emitPlain(out.branches);
}

function decodeBase64(value: string): Uint8Array | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}
