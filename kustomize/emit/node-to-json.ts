import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { formatGoTimestamp, resolvePlainV3 } from './go-resolve.ts';
import type { JsonValue } from './json-value.ts';

/**
 * The JSON data of a resource node as kustomize sees it when printing: scalars typed by
 * yaml.v3's rules (from their source text, so `0o17`, `1_000` or `yes` read as Go reads them),
 * aliases already expanded at load time.
 */
export function nodeToJson(node: Node | null | undefined, where: string): JsonValue {
  if (node === null || node === undefined) return null;
  if (isMap(node)) {
    const map = new Map<string, JsonValue>();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const keyText = isScalar(key) ? scalarKeyText(key) : '';
      // kustomize decodes resources into Go maps with yaml.v3, which refuses duplicate keys.
      if (map.has(keyText)) {
        throw new KustomizeError(
          'InvalidResource',
          `${where}: mapping key "${keyText}" already defined`,
        );
      }
      map.set(keyText, nodeToJson(pair.value as Node | null, where));
    }
    return map;
  }
  if (isSeq(node)) return node.items.map((item) => nodeToJson(item as Node | null, where));
  if (isScalar(node)) return scalarToJson(node);
  throw new KustomizeError('InvalidResource', `${where}: unexpected YAML node (unexpanded alias?)`);
}

function scalarKeyText(key: Scalar): string {
  const value = scalarToJson(key);
  if (value === null) return 'null';
  return typeof value === 'string' ? value : String(value);
}

const tagPrefix = 'tag:yaml.org,2002:';

/** The typed value of one scalar. */
export function scalarToJson(scalar: Scalar): JsonValue {
  const tag = scalar.tag?.startsWith(tagPrefix) ? scalar.tag.slice(tagPrefix.length) : scalar.tag;
  const isPlain = scalar.type === 'PLAIN' || scalar.type === undefined;
  const text = typeof scalar.source === 'string' ? scalar.source : undefined;
  if (tag !== undefined && tag !== '' && tag !== '!') {
    return taggedToJson(tag, text ?? String(scalar.value));
  }
  if (isPlain && text !== undefined && scalar.type === 'PLAIN') return resolvedToJson(text);
  return valueToJson(scalar.value);
}

function taggedToJson(tag: string, text: string): JsonValue {
  if (tag === 'str' || tag === 'binary') return text;
  if (tag === 'int' || tag === 'float' || tag === 'bool' || tag === 'null') {
    const resolved = resolvedToJson(text);
    if (tag === 'float' && typeof resolved === 'bigint') return Number(resolved);
    return resolved;
  }
  // yaml.v3 decodes a scalar with an unknown tag into a plain string.
  return text;
}

function resolvedToJson(text: string): JsonValue {
  const resolved = resolvePlainV3(text);
  switch (resolved.tag) {
    case 'null':
      return null;
    case 'float':
      // kustomize's JSON step refuses these (`json: unsupported value: +Inf`).
      if (!Number.isFinite(resolved.value)) {
        throw new KustomizeError('InvalidResource', `json: unsupported value: ${text}`);
      }
      return resolved.value;
    case 'bool':
    case 'int':
      return resolved.value;
    case 'timestamp':
      return formatGoTimestamp(text) ?? text;
    default:
      return text;
  }
}

function valueToJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint')
    return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  return String(value);
}
