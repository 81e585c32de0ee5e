import type { PatchMetaTable, SchemaEntry } from './schema-types.ts';

/** A schema document that is not an OpenAPI v2 (swagger) document with `definitions`. */
export class SchemaFormatError extends Error {
  readonly code = 'InvalidSchema' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SchemaFormatError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const definitionRefPrefix = '#/definitions/';

/** Reduces one OpenAPI v2 schema object to what the merge walker reads. */
function compactEntry(raw: Json): SchemaEntry {
  const entry: SchemaEntry = {};
  const ref = raw.$ref;
  if (typeof ref === 'string' && ref.startsWith(definitionRefPrefix)) {
    // kyaml resolves a `$ref` and then uses only the referenced schema.
    entry.ref = ref.slice(definitionRefPrefix.length);
    return entry;
  }
  const type = raw.type;
  if (type === 'array' || (Array.isArray(type) && type.length === 1 && type[0] === 'array')) {
    entry.array = true;
  }
  if (isObject(raw.items)) entry.items = compactEntry(raw.items);
  if (isObject(raw.properties)) {
    const props: Record<string, SchemaEntry> = {};
    for (const [name, value] of Object.entries(raw.properties)) {
      if (isObject(value)) props[name] = compactEntry(value);
    }
    entry.props = props;
  }
  if (isObject(raw.additionalProperties)) {
    entry.additional = compactEntry(raw.additionalProperties);
  }
  const strategy = raw['x-kubernetes-patch-strategy'];
  if (typeof strategy === 'string') entry.strategy = strategy;
  const mergeKey = raw['x-kubernetes-patch-merge-key'];
  if (typeof mergeKey === 'string') entry.mergeKey = mergeKey;
  const listMapKeys = raw['x-kubernetes-list-map-keys'];
  if (Array.isArray(listMapKeys) && listMapKeys.every((k) => typeof k === 'string')) {
    entry.listMapKeys = listMapKeys;
  }
  const listType = raw['x-kubernetes-list-type'];
  if (typeof listType === 'string') entry.listType = listType;
  return entry;
}

/** `{group, version, kind}` from `x-kubernetes-group-version-kind` as kyaml's `toTypeMeta`. */
function typeKeys(extension: unknown): string[] {
  if (!Array.isArray(extension)) return [];
  const keys: string[] = [];
  for (const gvk of extension) {
    if (!isObject(gvk) || typeof gvk.version !== 'string' || typeof gvk.kind !== 'string') continue;
    const group = typeof gvk.group === 'string' ? gvk.group : '';
    const apiVersion = group === '' ? gvk.version : `${group}/${gvk.version}`;
    keys.push(resourceTypeKey(apiVersion, gvk.kind));
  }
  return keys;
}

/** The key of a resource type in {@link PatchMetaTable.resources}. */
export function resourceTypeKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** Namespace scope per type from the GET paths, as kyaml's `findNamespaceability`. */
function namespaceability(paths: unknown): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  if (!isObject(paths)) return result;
  for (const [path, info] of Object.entries(paths)) {
    if (!isObject(info) || !isObject(info.get)) continue;
    const gvk = info.get['x-kubernetes-group-version-kind'];
    const keys = typeKeys(isObject(gvk) ? [gvk] : gvk);
    for (const key of keys) {
      if (path.includes('namespaces/{namespace}')) result[key] = true;
      else if (!(key in result)) result[key] = false;
    }
  }
  return result;
}

/**
 * Builds the compact patch-metadata table from an OpenAPI v2 document (the apiserver's
 * `/openapi/v2`, or a custom schema given by a kustomization's `openapi:` field).
 * `source` says where the document came from, e.g. the file name.
 */
export function compactSwagger(document: unknown, source: string): PatchMetaTable {
  if (!isObject(document) || !isObject(document.definitions)) {
    throw new SchemaFormatError(`${source}: not an OpenAPI v2 document: no "definitions" object`);
  }
  const definitions: Record<string, SchemaEntry> = {};
  const resources: Record<string, string> = {};
  for (const name of Object.keys(document.definitions).sort()) {
    const raw = document.definitions[name];
    if (!isObject(raw)) continue;
    definitions[name] = compactEntry(raw);
    for (const key of typeKeys(raw['x-kubernetes-group-version-kind'])) resources[key] = name;
  }
  return { source, resources, namespaced: namespaceability(document.paths), definitions };
}
