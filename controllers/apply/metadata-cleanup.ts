import { anyInMetadata, defaultFieldManager, kustomizeGroup } from './flux-metadata.ts';
import { isRecord, type KubeObject } from './kube-object.ts';

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown };

interface FieldManagerMatch {
  /** Prefix of the manager name, as Flux matches (`kubectl` covers `kubectl-edit`). */
  readonly prefix: string;
  readonly operation: 'Apply' | 'Update';
}

/**
 * Flux's apply cleanup: the managers whose fields kustomize-controller takes over, so a
 * field someone added with `kubectl edit` or `kubectl apply` is removed by the next apply.
 */
const takenOverManagers: readonly FieldManagerMatch[] = [
  { prefix: 'kubectl', operation: 'Apply' },
  { prefix: 'kubectl', operation: 'Update' },
  { prefix: 'before-first-apply', operation: 'Update' },
  { prefix: defaultFieldManager, operation: 'Update' },
];
const removedAnnotations = [
  'kubectl.kubernetes.io/last-applied-configuration',
  `${kustomizeGroup}/checksum`,
  'fluxcd.io/sync-checksum',
];
const removedLabels = ['fluxcd.io/sync-gc-mark'];
// `ssa: Merge` objects keep other managers' fields.
const cleanupExclusions = { [`${kustomizeGroup}/ssa`]: 'Merge' };

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * The JSON patch that moves fields of kubectl and pre-SSA managers to `fieldManager`'s Apply
 * entry and drops kubectl's and old Flux's annotations and labels; empty when nothing to do.
 */
export function metadataCleanupPatch(
  desired: KubeObject,
  existing: KubeObject | undefined,
  fieldManager: string,
): JsonPatchOperation[] {
  if (!existing) return [];
  if (anyInMetadata(desired, cleanupExclusions) || anyInMetadata(existing, cleanupExclusions)) {
    return [];
  }
  const patch: JsonPatchOperation[] = [];
  for (const key of removedAnnotations) {
    if (existing.metadata.annotations?.[key] !== undefined) {
      patch.push({ op: 'remove', path: `/metadata/annotations/${escapePointer(key)}` });
    }
  }
  for (const key of removedLabels) {
    if (existing.metadata.labels?.[key] !== undefined) {
      patch.push({ op: 'remove', path: `/metadata/labels/${escapePointer(key)}` });
    }
  }
  const managedFields = replacedManagedFields(existing, fieldManager);
  if (managedFields)
    patch.push({ op: 'replace', path: '/metadata/managedFields', value: managedFields });
  return patch;
}

function matches(entry: Record<string, unknown>): boolean {
  if (entry.subresource !== undefined && entry.subresource !== '') return false;
  return takenOverManagers.some(
    (m) =>
      entry.operation === m.operation &&
      typeof entry.manager === 'string' &&
      entry.manager.startsWith(m.prefix),
  );
}

/** Flux's `PatchReplaceFieldsManagers`: matched entries merged into our Apply entry. */
function replacedManagedFields(existing: KubeObject, fieldManager: string): unknown[] | undefined {
  const entries = Array.isArray(existing.metadata.managedFields)
    ? existing.metadata.managedFields.filter(isRecord)
    : [];
  let ours = entries.find((e) => e.manager === fieldManager && e.operation === 'Apply');
  const kept: Record<string, unknown>[] = [];
  let edited = false;
  for (const entry of entries) {
    if (entry === ours) continue;
    if (!matches(entry)) {
      kept.push(entry);
      continue;
    }
    edited = true;
    if (!ours) {
      ours = { ...entry, manager: fieldManager, operation: 'Apply' };
      continue;
    }
    ours = { ...ours, fieldsV1: mergeFields(ours.fieldsV1, entry.fieldsV1) };
  }
  if (!edited || !ours) return undefined;
  return [...kept, ours];
}

/** Union of two fieldsV1 tries: every path owned by either. */
export function mergeFields(a: unknown, b: unknown): unknown {
  if (!isRecord(a)) return b;
  if (!isRecord(b)) return a;
  const merged: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    merged[key] = key in merged ? mergeFields(merged[key], value) : value;
  }
  return merged;
}
