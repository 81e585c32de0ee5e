import { ApplyError } from './apply-error.ts';

/** A Kubernetes object as plain JSON, validated to carry the fields the engine relies on. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  deletionTimestamp?: string;
  [field: string]: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

/**
 * Checks one object at the boundary: apiVersion, kind and metadata.name are required strings,
 * labels and annotations string maps. `where` names the object in the error (e.g. its index).
 * Returns a deep copy, so the engine never mutates its caller's data.
 */
export function toKubeObject(value: unknown, where: string): KubeObject {
  if (!isRecord(value)) throw invalid(where, 'is not an object');
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    throw invalid(where, 'has no apiVersion');
  }
  if (typeof kind !== 'string' || kind === '') throw invalid(where, 'has no kind');
  if (!isRecord(metadata)) throw invalid(where, `(${kind}) has no metadata`);
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    throw invalid(where, `(${kind}) has no metadata.name`);
  }
  const subject = `${kind}/${metadata.name}`;
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
    throw invalid(where, `(${subject}) metadata.namespace is not a string`);
  }
  for (const key of ['labels', 'annotations'] as const) {
    if (metadata[key] !== undefined && !isStringMap(metadata[key])) {
      throw invalid(where, `(${subject}) metadata.${key} must map strings to strings`);
    }
  }
  return structuredClone(value) as KubeObject;
}

function invalid(where: string, what: string): ApplyError {
  return new ApplyError('InvalidObject', `${where} ${what}`);
}

/** `apps/v1` → `{ group: 'apps', version: 'v1' }`; `v1` → core group. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function formatApiVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}
