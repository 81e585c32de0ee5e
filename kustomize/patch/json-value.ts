import { Document, Pair, Scalar, stringify, YAMLMap, YAMLSeq } from 'yaml';
import { compareGo } from './merge-walker.ts';
import { isYaml11NonString, type YNode } from './yaml-node.ts';

/** A JSON value, as Go's `encoding/json` sees a resource. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * The JSON form of a resource node (kyaml `RNode.MarshalJSON`). Integers beyond 2^53 lose
 * precision exactly as Go's float64 decoding does.
 */
export function nodeToJson(node: YNode): JsonValue {
  // One document serves every call: toJS reads only its options (resources hold no aliases).
  readingDocument ??= new Document();
  const value: unknown = node.toJS(readingDocument, { maxAliasCount: -1 });
  return normalize(value);
}

let readingDocument: Document | undefined;

/** Plain JSON from a decoded value: `Map`s become objects, bigints Go's float64 numbers. */
export function normalizeJson(value: unknown): JsonValue {
  return normalize(value);
}

function normalize(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of value) out[String(k)] = normalize(v);
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
    return out;
  }
  return String(value);
}

/**
 * A node built from JSON as kyaml's `RNode.UnmarshalJSON` does (Go map → yaml.v3 → parse):
 * keys sorted, whole numbers as integers, and strings that go-yaml must quote (`"5"`,
 * `"yes"`, `"a: b"`) carrying a quoted style, multi-line strings a literal style. The styles
 * matter to a later strategic merge, which copies them onto replacing values.
 */
export function jsonToNode(value: JsonValue): YNode {
  if (value === null) {
    const scalar = new Scalar(null);
    scalar.source = 'null';
    return scalar;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq<unknown>();
    seq.items = value.map(jsonToNode);
    return seq;
  }
  if (typeof value === 'object') {
    const map = new YAMLMap<unknown, unknown>();
    for (const key of Object.keys(value).sort(compareGo)) {
      map.items.push(new Pair(stringNode(key), jsonToNode(value[key] ?? null)));
    }
    return map;
  }
  if (typeof value === 'string') return stringNode(value);
  return new Scalar(value);
}

/** Text that any YAML writer prints plain, without asking the yaml library. */
const obviouslyPlain = /^[A-Za-z_/][-A-Za-z0-9_./]*$/;

function stringNode(text: string): Scalar<string> {
  const scalar = new Scalar(text);
  if (obviouslyPlain.test(text) && !isYaml11NonString(text)) scalar.type = 'PLAIN';
  else if (text.includes('\n')) scalar.type = 'BLOCK_LITERAL';
  else if (isYaml11NonString(text) || /^["']/.test(stringify(text))) scalar.type = 'QUOTE_DOUBLE';
  else scalar.type = 'PLAIN';
  return scalar;
}
