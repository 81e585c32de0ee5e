import type { Kustomization } from '../../api/index.ts';
import {
  type ChangeSetEntry,
  type DynamicClient,
  entryId,
  type InventoryEntry,
  isApplyError,
  pruneStale,
} from '../apply/index.ts';
import { changeLogOf } from './apply-step.ts';
import { messageOf } from './source-step.ts';
import { PruneError } from './step-outcome.ts';

export interface PruneResult {
  /** Whether prune ran (`spec.prune`). */
  readonly enabled: boolean;
  readonly changeSet: readonly ChangeSetEntry[];
  readonly changeLog: string;
}

/**
 * Deletes what left the inventory, in reverse apply order, only where the owner labels still
 * match. On failure the objects whose deletion was not confirmed are handed back so they stay
 * in the inventory and are tried again.
 */
export async function pruneObjects(
  ks: Kustomization,
  previous: readonly InventoryEntry[],
  next: readonly InventoryEntry[],
  client: DynamicClient,
  signal: AbortSignal,
): Promise<PruneResult> {
  if (ks.spec.prune !== true) return { enabled: false, changeSet: [], changeLog: '' };
  const owner = { name: ks.metadata.name ?? '', namespace: ks.metadata.namespace ?? '' };
  try {
    const changeSet = await pruneStale(client, previous, next, { owner, signal });
    return { enabled: true, changeSet, changeLog: changeLogOf(changeSet) };
  } catch (error) {
    const settled = new Set(
      (isApplyError(error) ? error.changeSet : [])
        .filter((entry) => entry.action === 'deleted' || entry.action === 'skipped')
        .map(entryId),
    );
    const kept = new Set(next.map((entry) => entry.id));
    const survivors = previous.filter((entry) => !kept.has(entry.id) && !settled.has(entry.id));
    throw new PruneError(messageOf(error), survivors, error);
  }
}
