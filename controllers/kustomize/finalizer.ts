import {
  deletesObjectsOnDeletion,
  type Kustomization,
  kustomizationDeletionPolicy,
  kustomizationTimeoutMs,
  Reason,
} from '../../api/index.ts';
import {
  deleteObjects,
  type KubeClientFactory,
  listInventory,
  waitForTermination,
} from '../apply/index.ts';
import type { EventType } from '../runtime/index.ts';
import { applyClient, changeLogOf } from './apply-step.ts';
import { messageOf } from './source-step.ts';

export interface FinalizeContext {
  readonly factory: KubeClientFactory;
  readonly defaultServiceAccount: string;
  readonly terminationIntervalMs: number;
  readonly signal: AbortSignal;
  event(type: EventType, reason: string, message: string): Promise<void>;
}

/**
 * Flux's finalizerShouldDeleteResources: never while suspended or with an empty inventory;
 * MirrorPrune follows `spec.prune`; Delete and WaitForTermination delete; Orphan keeps.
 */
export function shouldDeleteOnDeletion(ks: Kustomization): boolean {
  if (ks.spec.suspend === true) return false;
  if ((ks.status?.inventory?.entries ?? []).length === 0) return false;
  return deletesObjectsOnDeletion(ks);
}

/**
 * What runs while a Kustomization is being deleted, before its finalizer comes off: delete
 * the inventory as the applying identity, wait for the objects to be gone under
 * WaitForTermination. A failed deletion throws, so the finalizer stays and it is retried;
 * a termination timeout or a missing ServiceAccount is reported and the finalizer released.
 */
export async function finalizeObjects(ks: Kustomization, context: FinalizeContext): Promise<void> {
  if (!shouldDeleteOnDeletion(ks)) return;
  const objects = listInventory(ks.status?.inventory?.entries ?? []);
  const namespace = ks.metadata.namespace ?? '';
  const account = ks.spec.serviceAccountName || context.defaultServiceAccount;
  const reason = readyReason(ks);
  if (account) {
    const serviceAccount = await context.factory
      .controllerClient()
      .get({ apiVersion: 'v1', kind: 'ServiceAccount', name: account, namespace }, context.signal);
    if (serviceAccount === undefined) {
      const list = objects.map(
        (o) => `${o.objMetadata.kind}/${o.objMetadata.namespace}/${o.objMetadata.name}`,
      );
      await context.event('Warning', reason, `unable to prune objects: \n${list.join('\n')}`);
      return;
    }
  }
  const client = applyClient(ks, context.factory, context.defaultServiceAccount);
  const owner = { name: ks.metadata.name ?? '', namespace };
  let changeSet: Awaited<ReturnType<typeof deleteObjects>>;
  try {
    changeSet = await deleteObjects(client, objects, { owner, signal: context.signal });
  } catch (error) {
    await context.event('Warning', reason, 'pruning for deleted resource failed');
    throw new Error(`pruning for deleted resource failed: ${messageOf(error)}`, { cause: error });
  }
  const log = changeLogOf(changeSet);
  if (log) await context.event('Normal', reason, log);
  if (kustomizationDeletionPolicy(ks) !== 'WaitForTermination') return;
  try {
    await waitForTermination(client, changeSet, {
      timeoutMs: kustomizationTimeoutMs(ks),
      intervalMs: context.terminationIntervalMs,
      signal: context.signal,
    });
  } catch {
    await context.event('Warning', reason, 'failed to wait for resources termination');
  }
}

/** Flux names a Kustomization's events after its Ready reason. */
function readyReason(ks: Kustomization): string {
  const ready = ks.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.reason || Reason.Progressing;
}
