import { type Kustomization, Reason } from '../../api/index.ts';
import {
  applyStaged,
  type ChangeSetEntry,
  type DynamicClient,
  hasChanged,
  type InventoryEntry,
  inventoryFromChangeSet,
  isApplyError,
  type KubeClientFactory,
} from '../apply/index.ts';
import type { KubeObject } from './build-engine.ts';
import { messageOf } from './source-step.ts';
import { StepError } from './step-error.ts';

export interface AppliedSet {
  readonly changeSet: readonly ChangeSetEntry[];
  readonly inventory: readonly InventoryEntry[];
  /** `Kind/namespace/name action` of what changed, one a line; empty when nothing did. */
  readonly changeLog: string;
}

/**
 * The identity objects are applied and pruned with, as Flux's impersonator picks it:
 * `spec.serviceAccountName`, else `--default-service-account`, else the controller itself.
 * The ServiceAccount lives in the Kustomization's namespace.
 */
export function applyClient(
  ks: Kustomization,
  factory: KubeClientFactory,
  defaultServiceAccount: string,
): DynamicClient {
  const account = ks.spec.serviceAccountName || defaultServiceAccount;
  if (!account) return factory.controllerClient();
  return factory.serviceAccountClient(ks.metadata.namespace ?? '', account);
}

/**
 * Server-side applies the objects in Flux's stages with the owner labels, after refusing
 * Secrets that still carry SOPS data (nothing is applied then). A failure lists what was
 * applied before it.
 */
export async function applyObjects(
  ks: Kustomization,
  objects: readonly KubeObject[],
  client: DynamicClient,
  options: { timeoutMs: number; waitIntervalMs: number; signal: AbortSignal },
): Promise<AppliedSet> {
  for (const object of objects) {
    if (isEncryptedSecret(object) && !isDecryptionDisabled(object)) {
      const name = String(object.metadata.name ?? '');
      const namespace = String(object.metadata.namespace ?? '');
      throw new StepError(
        Reason.ReconciliationFailed,
        `Secret/${namespace}/${name} is SOPS encrypted, configuring decryption is required for this secret to be reconciled`,
      );
    }
  }
  const prepared = objects.map((object) => withCommonMetadata(object, ks));
  let changeSet: ChangeSetEntry[];
  try {
    changeSet = await applyStaged(client, prepared, {
      owner: { name: ks.metadata.name ?? '', namespace: ks.metadata.namespace ?? '' },
      force: ks.spec.force === true,
      waitTimeoutMs: options.timeoutMs,
      waitIntervalMs: options.waitIntervalMs,
      signal: options.signal,
    });
  } catch (error) {
    const partial = isApplyError(error) ? changeLogOf(error.changeSet) : '';
    throw new StepError(
      Reason.ReconciliationFailed,
      partial ? `${messageOf(error)}\n${partial}` : messageOf(error),
      { cause: error },
    );
  }
  return {
    changeSet,
    inventory: inventoryFromChangeSet(changeSet),
    changeLog: changeLogOf(changeSet),
  };
}

export function changeLogOf(entries: readonly ChangeSetEntry[]): string {
  return entries
    .filter((entry) => hasChanged(entry.action))
    .map((entry) => `${entry.subject} ${entry.action}`)
    .join('\n');
}

/** Flux's IsEncryptedSecret: a v1 Secret with a top-level `sops` field. */
function isEncryptedSecret(object: KubeObject): boolean {
  return object.kind === 'Secret' && object.apiVersion === 'v1' && 'sops' in object;
}

function isDecryptionDisabled(object: KubeObject): boolean {
  const annotations = object.metadata.annotations as Record<string, unknown> | undefined;
  return annotations?.['kustomize.toolkit.fluxcd.io/decrypt'] === 'disabled';
}

/** `spec.commonMetadata` labels and annotations on every object, as Flux's SetCommonMetadata. */
function withCommonMetadata(object: KubeObject, ks: Kustomization): KubeObject {
  const common = ks.spec.commonMetadata;
  if (!common?.labels && !common?.annotations) return object;
  const metadata = object.metadata as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  return {
    ...object,
    metadata: {
      ...object.metadata,
      ...(common.labels && { labels: { ...metadata.labels, ...common.labels } }),
      ...(common.annotations && {
        annotations: { ...metadata.annotations, ...common.annotations },
      }),
    },
  };
}
