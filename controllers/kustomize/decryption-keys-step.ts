import { type Kustomization, Reason } from '../../api/index.ts';
import type { DynamicClient } from '../apply/index.ts';
import type { BuildEngine, DecryptionKeys } from './build-engine.ts';
import { messageOf } from './source-step.ts';
import { isStepError, StepError } from './step-error.ts';

/**
 * The SOPS keys of `spec.decryption.secretRef`, read with the controller's own identity as
 * Flux does. Undefined when the Kustomization asks for no decryption. Entries whose name fits
 * no key kind come back in `unknownEntries` for the reconciler to warn about.
 */
export async function readDecryptionKeys(
  ks: Kustomization,
  client: DynamicClient,
  engine: BuildEngine,
  signal: AbortSignal,
): Promise<DecryptionKeys | undefined> {
  const decryption = ks.spec.decryption;
  if (decryption === undefined) return undefined;
  const secretName = decryption.secretRef?.name;
  if (secretName === undefined || secretName === '') {
    return { keySources: [], unknownEntries: [] };
  }
  const namespace = ks.metadata.namespace ?? '';
  const where = `${decryption.provider} decryption Secret '${namespace}/${secretName}'`;
  let secret: Record<string, unknown> | undefined;
  try {
    secret = await client.get(
      { apiVersion: 'v1', kind: 'Secret', name: secretName, namespace },
      signal,
    );
  } catch (error) {
    throw new StepError(Reason.DecryptionFailed, `cannot get ${where}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (secret === undefined) {
    throw new StepError(
      Reason.DecryptionFailed,
      `cannot get ${where}: secrets "${secretName}" not found; create it with the private keys (e.g. age.agekey)`,
    );
  }
  try {
    return engine.decryptionKeysFromSecret(secretData(secret));
  } catch (error) {
    if (isStepError(error)) throw error;
    throw new StepError(Reason.DecryptionFailed, `${where}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** A Secret's `data`, base64-decoded. */
export function secretData(secret: Record<string, unknown>): Record<string, Uint8Array> {
  const data = secret.data;
  const decoded: Record<string, Uint8Array> = {};
  if (typeof data !== 'object' || data === null) return decoded;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') decoded[key] = Buffer.from(value, 'base64');
  }
  return decoded;
}
