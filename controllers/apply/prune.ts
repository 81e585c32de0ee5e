import { throwIfAborted } from './abort.ts';
import { ApplyError } from './apply-error.ts';
import { compareObjMetadata } from './apply-order.ts';
import { type ChangeSetEntry, changeSetEntry, entryReference } from './change-set.ts';
import type { DynamicClient, PropagationPolicy } from './dynamic-client.ts';
import { anyInMetadata, hasOwnerLabels, type Owner, pruneExclusions } from './flux-metadata.ts';
import { diffInventory, type InventoryEntry, type InventoryObject } from './inventory.ts';
import { parseApiVersion } from './kube-object.ts';
import { formatSubject } from './object-metadata.ts';

export interface DeleteOptions {
  /** Only objects still labelled as this Kustomization's are deleted. */
  readonly owner: Owner;
  /** Flux prunes with Background propagation. */
  readonly propagationPolicy?: PropagationPolicy;
  readonly signal?: AbortSignal;
}

/**
 * Deletes objects in reverse apply order, as Flux's `DeleteAll`: gone already → deleted;
 * labels of another owner, or `prune: disabled` (label or annotation) → skipped. Every object
 * is tried; failures are thrown together afterwards with the change set.
 */
export async function deleteObjects(
  client: DynamicClient,
  objects: readonly InventoryObject[],
  options: DeleteOptions,
): Promise<ChangeSetEntry[]> {
  const ordered = [...objects].sort((a, b) => compareObjMetadata(b.objMetadata, a.objMetadata));
  const entries: ChangeSetEntry[] = [];
  const failures: string[] = [];
  for (const { objMetadata, reference } of ordered) {
    const version = parseApiVersion(reference.apiVersion).version;
    const subject = formatSubject(objMetadata);
    try {
      const live = await client.get(reference, options.signal);
      if (!live) {
        entries.push(changeSetEntry(objMetadata, version, 'deleted'));
        continue;
      }
      if (!hasOwnerLabels(live, options.owner) || anyInMetadata(live, pruneExclusions)) {
        entries.push(changeSetEntry(objMetadata, version, 'skipped'));
        continue;
      }
      await client.delete(reference, {
        propagationPolicy: options.propagationPolicy ?? 'Background',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      entries.push(changeSetEntry(objMetadata, version, 'deleted'));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      entries.push(changeSetEntry(objMetadata, version, 'unknown'));
      failures.push(`${subject} delete failed: ${error instanceof Error ? error.message : error}`);
    }
  }
  if (failures.length > 0) {
    throw new ApplyError('DeleteFailed', `delete failed, errors: ${failures.join('; ')}`, {
      changeSet: entries,
    });
  }
  return entries;
}

/** Prunes what left the inventory: `previous` minus `next`, deleted with `deleteObjects`. */
export async function pruneStale(
  client: DynamicClient,
  previous: readonly InventoryEntry[],
  next: readonly InventoryEntry[],
  options: DeleteOptions,
): Promise<ChangeSetEntry[]> {
  return deleteObjects(client, diffInventory(previous, next), options);
}

/**
 * Waits until the objects deleted in `entries` are gone (their finalizers done), for the
 * `WaitForTermination` deletion policy. Throws `WaitFailed` naming the first object still
 * present at the timeout, as Flux's `WaitForSetTermination`.
 */
export async function waitForTermination(
  client: DynamicClient,
  entries: readonly ChangeSetEntry[],
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (const entry of entries.filter((e) => e.action === 'deleted')) {
    while (await client.get(entryReference(entry), options.signal)) {
      throwIfAborted(options.signal, 'termination wait');
      if (Date.now() >= deadline) {
        throw new ApplyError('WaitFailed', `${entry.subject} termination timeout`, {
          subject: entry.subject,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2_000));
    }
  }
}
