import { type Kustomization, Reason } from '../../api/index.ts';
import type { DynamicClient } from '../apply/index.ts';
import type { KeyServiceOptions, KeySourceContext } from './build/index.ts';
import type { BuildEngine, DecryptionKeys } from './build-engine.ts';
import { objectIdentity, type WorkloadIdentitySettings } from './identity/index.ts';
import { messageOf } from './source-step.ts';
import { isStepError, StepError } from './step-error.ts';

/** Controller settings for remote key services (`--feature-gates`, test endpoints). */
export interface DecryptionSettings {
  readonly workloadIdentity?: WorkloadIdentitySettings;
  readonly services?: KeyServiceOptions;
}

/**
 * The SOPS keys of `spec.decryption.secretRef`, read with the controller's own identity as
 * Flux does. Undefined when the Kustomization asks for no decryption. Entries whose name fits
 * no key kind come back in `unknownEntries` for the reconciler to warn about. Remote key
 * services use the Secret's credentials, else `spec.decryption.serviceAccountName`'s, else
 * the controller's; without a Secret, only the latter two.
 */
export async function readDecryptionKeys(
  ks: Kustomization,
  client: DynamicClient,
  engine: BuildEngine,
  signal: AbortSignal,
  settings: DecryptionSettings = {},
): Promise<DecryptionKeys | undefined> {
  const decryption = ks.spec.decryption;
  if (decryption === undefined) return undefined;
  const namespace = ks.metadata.namespace ?? '';
  const serviceAccountName = decryption.serviceAccountName ?? '';
  const context: KeySourceContext = {
    ...(settings.services && { services: settings.services }),
    ...(serviceAccountName !== '' && {
      identity: objectIdentity(
        client.transport,
        { namespace, name: serviceAccountName },
        settings.workloadIdentity ?? {},
        signal,
      ),
    }),
  };
  const secretName = decryption.secretRef?.name;
  if (secretName === undefined || secretName === '') {
    return engine.decryptionKeysFromSecret({}, context);
  }
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
    return engine.decryptionKeysFromSecret(secretData(secret), context);
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
