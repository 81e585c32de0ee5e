import { isRecord, type KubeObject } from './kube-object.ts';

/**
 * Whether the dry-run result differs from the live object, as Flux's `hasDrifted`: a new
 * object has drifted; otherwise labels, annotations, then everything outside `metadata` and
 * `status` are compared. managedFields, resourceVersion, generation and timestamps live in
 * metadata and so never count as drift.
 */
export function hasDrifted(existing: KubeObject | undefined, dryRun: KubeObject): boolean {
  if (!existing || !dryRun.metadata.resourceVersion) return true;
  if (!deepEqual(dryRun.metadata.labels ?? {}, existing.metadata.labels ?? {})) return true;
  if (!deepEqual(dryRun.metadata.annotations ?? {}, existing.metadata.annotations ?? {})) {
    return true;
  }
  return !deepEqual(withoutMetadataAndStatus(dryRun), withoutMetadataAndStatus(existing));
}

function withoutMetadataAndStatus(object: KubeObject): Record<string, unknown> {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
