import { createHash } from 'node:crypto';
import { isMap, isScalar, type Node } from 'yaml';
import type { JsonValue } from '../emit/json-value.ts';
import { nodeToJson } from '../emit/node-to-json.ts';
import { getKind, type Resource } from '../resource/resource.ts';
import { getField } from '../resource/yaml-node.ts';

/** Go's `json.Marshal` of our JSON data: sorted keys, HTML-safe escapes. */
export function goJsonMarshal(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
  if (typeof value === 'string') return goJsonString(value);
  if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`;
  const keys = [...value.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(value.get(k) as JsonValue)}`).join(',')}}`;
}

function goJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** kustomize's hash encoding: the first ten hex digits of the SHA-256, some swapped for letters. */
export function encodeHash(json: string): string {
  const hex = createHash('sha256').update(json, 'utf8').digest('hex').slice(0, 10);
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return Array.from(hex, (ch) => swap[ch] ?? ch).join('');
}

/**
 * The value kustomize hashes for one field. It looks fields up by a single name, so
 * `metadata/name` is never found and always hashes as "" (a quirk we must keep).
 */
function hashedField(node: Resource['node'], name: string): JsonValue {
  const value = getField(node, name) as Node | undefined;
  if (value === undefined) return '';
  if (isScalar(value)) return value.value === null ? '' : String(value.source ?? value.value);
  return nodeToJson(value, name);
}

/** The name suffix kustomize adds to a generated ConfigMap or Secret. */
export function contentHash(resource: Resource): string {
  const node = resource.node;
  const kind = getKind(resource);
  const fields = new Map<string, JsonValue>();
  if (kind === 'ConfigMap') {
    fields.set('kind', 'ConfigMap');
    fields.set('name', hashedField(node, 'metadata/name'));
    fields.set('data', hashedField(node, 'data'));
    const binary = getField(node, 'binaryData');
    if (isMap(binary)) fields.set('binaryData', hashedField(node, 'binaryData'));
  } else if (kind === 'Secret') {
    fields.set('kind', 'Secret');
    fields.set('type', hashedField(node, 'type'));
    fields.set('name', hashedField(node, 'metadata/name'));
    fields.set('data', hashedField(node, 'data'));
    const stringData = getField(node, 'stringData');
    if (isMap(stringData)) fields.set('stringData', hashedField(node, 'stringData'));
  } else {
    return encodeHash(goJsonMarshal(nodeToJson(node, resource.source)));
  }
  return encodeHash(goJsonMarshal(fields));
}
