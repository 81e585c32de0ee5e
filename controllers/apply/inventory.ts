import { sortObjMetadata } from './apply-order.ts';
import type { ChangeSetEntry } from './change-set.ts';
import { type ObjectReference, referenceFromParts } from './dynamic-client.ts';
import { formatObjMetadata, type ObjMetadata, parseObjMetadata } from './object-metadata.ts';

/** One `status.inventory.entries[]` item, as Flux stores it. */
export interface InventoryEntry {
  /** `<namespace>_<name>_<group>_<kind>`. */
  readonly id: string;
  /** API version of the object, e.g. `v1`. */
  readonly v: string;
}

/** The inventory of what an apply produced: every entry of the change set, in apply order. */
export function inventoryFromChangeSet(entries: readonly ChangeSetEntry[]): InventoryEntry[] {
  return entries.map((entry) => ({ id: formatObjMetadata(entry.objMetadata), v: entry.version }));
}

export interface InventoryObject {
  readonly objMetadata: ObjMetadata;
  readonly reference: ObjectReference;
}

function toInventoryObjects(entries: readonly InventoryEntry[]): InventoryObject[] {
  const metas = entries.map((entry) => ({ meta: parseObjMetadata(entry.id), v: entry.v }));
  const versions = new Map(metas.map(({ meta, v }) => [formatObjMetadata(meta), v]));
  return sortObjMetadata(metas.map(({ meta }) => meta)).map((objMetadata) => ({
    objMetadata,
    reference: referenceFromParts(objMetadata, versions.get(formatObjMetadata(objMetadata)) ?? ''),
  }));
}

/** The inventory's objects in apply order. */
export function listInventory(entries: readonly InventoryEntry[]): InventoryObject[] {
  return toInventoryObjects(entries);
}

/**
 * Objects of `previous` that are not in `next`, in apply order: what prune deletes. Identity
 * ignores the version, as in Flux, so moving an object to a new apiVersion does not prune it.
 */
export function diffInventory(
  previous: readonly InventoryEntry[],
  next: readonly InventoryEntry[],
): InventoryObject[] {
  const kept = new Set(next.map((entry) => formatObjMetadata(parseObjMetadata(entry.id))));
  return toInventoryObjects(
    previous.filter((entry) => !kept.has(formatObjMetadata(parseObjMetadata(entry.id)))),
  );
}
