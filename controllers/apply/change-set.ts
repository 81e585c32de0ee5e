import type { ObjectReference } from './dynamic-client.ts';
import { formatApiVersion } from './kube-object.ts';
import { formatObjMetadata, formatSubject, type ObjMetadata } from './object-metadata.ts';

/** Flux's change-set actions, spelled as Flux prints them. */
export type ChangeAction =
  | 'created'
  | 'configured'
  | 'unchanged'
  | 'deleted'
  | 'skipped'
  | 'unknown';

export interface ChangeSetEntry {
  readonly objMetadata: ObjMetadata;
  /** The API version (`v1`, `v1beta1`) the object was applied with, stored as inventory `v`. */
  readonly version: string;
  /** `Kind/namespace/name`. */
  readonly subject: string;
  readonly action: ChangeAction;
}

export function changeSetEntry(
  objMetadata: ObjMetadata,
  version: string,
  action: ChangeAction,
): ChangeSetEntry {
  return { objMetadata, version, subject: formatSubject(objMetadata), action };
}

/** One line per entry, `Kind/namespace/name action`, as Flux's events show it. */
export function formatChangeSet(entries: readonly ChangeSetEntry[]): string {
  return entries.map((entry) => `${entry.subject} ${entry.action}`).join('\n');
}

/** Whether an action changed the cluster (Flux only reports these in events). */
export function hasChanged(action: ChangeAction): boolean {
  return action === 'created' || action === 'configured' || action === 'deleted';
}

/** `{ created: [subjects], configured: [...] }`, Flux's grouped change log. */
export function groupChangeSet(
  entries: readonly ChangeSetEntry[],
): Partial<Record<ChangeAction, string[]>> {
  const grouped: Partial<Record<ChangeAction, string[]>> = {};
  for (const entry of entries) {
    const subjects = grouped[entry.action] ?? [];
    subjects.push(entry.subject);
    grouped[entry.action] = subjects;
  }
  return grouped;
}

export function entryReference(entry: ChangeSetEntry): ObjectReference {
  const { objMetadata: meta } = entry;
  return {
    apiVersion: formatApiVersion(meta.group, entry.version),
    kind: meta.kind,
    name: meta.name,
    namespace: meta.namespace === '' ? undefined : meta.namespace,
  };
}

export function entryId(entry: ChangeSetEntry): string {
  return formatObjMetadata(entry.objMetadata);
}
