import { isMap, parse as parseYaml, type YAMLMap } from 'yaml';
import { type JsonValue, jsonToNode, nodeToJson, normalizeJson } from './json-value.ts';
import { PatchError } from './yaml-node.ts';

/** One RFC 6902 operation as decoded (fields other than these are ignored, as in Go). */
export interface JsonPatchOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  /** Absent `value` counts as JSON null, as in evanphx/json-patch v4. */
  value?: JsonValue;
}

function fail(message: string): PatchError {
  return new PatchError('JsonPatchFailed', message);
}

/**
 * Decodes a JSON 6902 patch as kustomize does: text starting with `[` is JSON, anything else
 * YAML (read with YAML 1.1 rules, like sigs.k8s.io/yaml). Must be a list of operations.
 */
export function parseJsonPatch(text: string): JsonPatchOperation[] {
  const trimmed = text.trim();
  let decoded: unknown;
  try {
    decoded = trimmed.startsWith('[')
      ? JSON.parse(trimmed)
      : parseYaml(trimmed, {
          version: '1.1',
          maxAliasCount: 100,
          customTags: (tags) => tags.filter(isYamlV2Tag),
        });
  } catch (error) {
    throw new PatchError(
      'InvalidPatch',
      `invalid JSON patch: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(decoded) || decoded.some((op) => typeof op !== 'object' || op === null)) {
    throw new PatchError('InvalidPatch', 'invalid JSON patch: expected a list of operations');
  }
  return decoded as JsonPatchOperation[];
}

/** yaml.v2 (sigs.k8s.io/yaml) leaves timestamps and base-60 numbers as strings. */
function isYamlV2Tag(tag: string | { tag: string; format?: string }): boolean {
  if (typeof tag === 'string') return !['timestamp', 'intTime', 'floatTime'].includes(tag);
  return tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME';
}

type Container = { [key: string]: JsonValue } | JsonValue[];

function isContainer(value: JsonValue | undefined): value is Container {
  return typeof value === 'object' && value !== null;
}

/** Go's `strconv.Atoi`. */
function atoi(key: string): number | undefined {
  return /^[+-]?\d+$/.test(key) ? Number.parseInt(key, 10) : undefined;
}

/** An array index as evanphx/json-patch v4 reads it: negative counts from the end. */
function arrayIndex(key: string, limit: number): number {
  const idx = atoi(key);
  if (idx === undefined) throw fail(`value was not a proper array index: '${key}'`);
  if (idx >= limit || idx < -limit) throw fail(`Unable to access invalid index: ${idx}`);
  return idx < 0 ? idx + limit : idx;
}

function get(con: Container, key: string): JsonValue | undefined {
  if (!Array.isArray(con)) return Object.hasOwn(con, key) ? con[key] : undefined;
  return con[arrayIndex(key, con.length)];
}

function add(con: Container, key: string, value: JsonValue): void {
  if (!Array.isArray(con)) {
    con[key] = value;
    return;
  }
  if (key === '-') {
    con.push(value);
    return;
  }
  con.splice(arrayIndex(key, con.length + 1), 0, value);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!Object.hasOwn(con, key)) throw fail(`Unable to remove nonexistent key: ${key}`);
    delete con[key];
    return;
  }
  con.splice(arrayIndex(key, con.length), 1);
}

function decodeKey(key: string): string {
  return key.replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * evanphx `findObject`: the container of the pointer's last token, and that token. Like v4,
 * the text before the first `/` is ignored and a JSON null on the way counts as missing.
 */
function findObject(doc: Container, path: string): [Container, string] | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let current: Container = doc;
  for (const part of split.slice(1, -1)) {
    let next: JsonValue | undefined;
    try {
      next = get(current, decodeKey(part));
    } catch {
      return undefined;
    }
    if (!isContainer(next)) return undefined;
    current = next;
  }
  return [current, decodeKey(split.at(-1) ?? '')];
}

function stringField(op: JsonPatchOperation, field: 'path' | 'from', kind: string): string {
  const value = op[field];
  if (typeof value !== 'string') throw fail(`${kind} operation failed to decode ${field}`);
  return value;
}

function locate(doc: Container, path: string, what: string): [Container, string] {
  const found = findObject(doc, path);
  if (found === undefined) throw fail(`${what}: doc is missing path: "${path}"`);
  return found;
}

function applyOperation(root: { doc: Container }, op: JsonPatchOperation): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const value = structuredClone(op.value ?? null);
  switch (kind) {
    case 'add': {
      const path = stringField(op, 'path', kind);
      const [con, key] = locate(root.doc, path, 'add operation does not apply');
      add(con, key, value);
      return;
    }
    case 'remove': {
      const path = stringField(op, 'path', kind);
      const [con, key] = locate(root.doc, path, 'remove operation does not apply');
      remove(con, key);
      return;
    }
    case 'replace':
      replace(root, stringField(op, 'path', kind), value);
      return;
    case 'move':
    case 'copy': {
      const from = stringField(op, 'from', kind);
      const [fromCon, fromKey] = locate(root.doc, from, `${kind} operation does not apply`);
      const moved = get(fromCon, fromKey) ?? null;
      if (kind === 'move') remove(fromCon, fromKey);
      const path = stringField(op, 'path', kind);
      const [con, key] = locate(root.doc, path, `${kind} operation does not apply`);
      add(con, key, kind === 'copy' ? structuredClone(moved) : moved);
      return;
    }
    case 'test':
      test(root, stringField(op, 'path', kind), op);
      return;
    default:
      throw fail(`Unexpected kind: ${kind}`);
  }
}

function replace(root: { doc: Container }, path: string, value: JsonValue): void {
  if (path === '') {
    if (!isContainer(value)) throw fail('replace operation value must be object or array');
    root.doc = value;
    return;
  }
  const [con, key] = locate(root.doc, path, 'replace operation does not apply');
  // v4 checks only that an array index exists: replacing a missing object key adds it.
  get(con, key);
  if (Array.isArray(con)) con[arrayIndex(key, con.length)] = value;
  else con[key] = value;
}

function test(root: { doc: Container }, path: string, op: JsonPatchOperation): void {
  const actual =
    path === '' ? root.doc : get(...locate(root.doc, path, 'test operation does not apply'));
  // v4 reads a JSON null in the document as missing: it matches only an absent `value`.
  if (actual === undefined || actual === null) {
    if (!('value' in op) || op.value === undefined) return;
    throw fail(`testing value ${path} failed`);
  }
  if (!isDeepEqual(actual, op.value ?? null)) throw fail(`testing value ${path} failed`);
}

function isDeepEqual(a: JsonValue, b: JsonValue): boolean {
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) && a.length === b.length && a.every((v, i) => isDeepEqual(v, b[i] ?? null))
    );
  }
  if (isContainer(a)) {
    if (!isContainer(b) || Array.isArray(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && isDeepEqual(a[k] ?? null, b[k] ?? null));
  }
  return a === b;
}

/** Options of {@link applyJsonPatch}. */
export interface JsonPatchOptions {
  /**
   * The resource's JSON form as Go reads it (yaml.v3 typing: `0o17`, timestamps, …). Maps may
   * be plain objects or `Map`s; bigints are read as Go's float64. Defaults to the yaml
   * library's own reading, which differs from Go's for such edge scalars.
   */
  nodeToJson?: (node: YAMLMap<unknown, unknown>) => unknown;
}

/**
 * Applies a JSON 6902 patch to one resource as kustomize v5.5 does: on the resource's JSON
 * form with evanphx/json-patch v4 semantics (negative array indices, `-` to append, `~0`/`~1`
 * escapes, a `replace` of a missing object key adds it), then converted back to a node, which
 * leaves keys sorted and scalar styles as go-yaml writes them.
 *
 * Returns a new node; `resource` is not modified.
 *
 * @throws PatchError (code `JsonPatchFailed`) naming the failing operation's path.
 */
export function applyJsonPatch(
  resource: YAMLMap<unknown, unknown>,
  operations: readonly JsonPatchOperation[],
  options: JsonPatchOptions = {},
): YAMLMap<unknown, unknown> {
  const json = options.nodeToJson
    ? normalizeJson(options.nodeToJson(resource))
    : nodeToJson(resource);
  if (!isContainer(json)) throw fail('resource is not a map');
  const root = { doc: json };
  for (const op of operations) applyOperation(root, op);
  if (Array.isArray(root.doc)) throw fail('the patched resource is a list, not a map');
  const node = jsonToNode(root.doc);
  if (!isMap(node)) throw fail('the patched resource is not a map');
  return node;
}
