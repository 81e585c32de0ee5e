import { isAlias, isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * The node helpers the merge walker needs, with the meaning of kyaml's (go-yaml v3 `Node`)
 * predicates over eemeli/yaml nodes. `undefined` stands for Go's nil `*RNode` (absent).
 */
export type YNode = YAMLMap<unknown, unknown> | YAMLSeq<unknown> | Scalar<unknown>;

/** Error of the patch engines; `code` says which check failed. */
export class PatchError extends Error {
  readonly code: 'InvalidPatch' | 'WrongNodeKind' | 'JsonPatchFailed';
  constructor(code: PatchError['code'], message: string) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}

export type NodeKind = 'map' | 'seq' | 'scalar';

/** Narrows an item of a yaml collection to a node; aliases are refused (kustomize de-anchors). */
export function asNode(value: unknown, where: string): YNode | undefined {
  if (value === null || value === undefined) return undefined;
  if (isMap(value) || isSeq(value) || isScalar(value)) return value as YNode;
  if (isAlias(value)) {
    throw new PatchError('InvalidPatch', `${where}: YAML aliases must be resolved before patching`);
  }
  // A bare JS value in a programmatically built collection: wrap it like a parsed scalar.
  return new Scalar(value);
}

export function nodeKind(node: YNode): NodeKind {
  if (isMap(node)) return 'map';
  if (isSeq(node)) return 'seq';
  return 'scalar';
}

/** Go's `IsMissingOrNull`: absent, or a scalar tagged null (`null`, `~`, or empty). */
export function isMissingOrNull(node: YNode | undefined): node is undefined | Scalar<null> {
  return node === undefined || (isScalar(node) && node.value === null);
}

/** Go's `IsEmptyMap`: missing, null, or a map without entries. */
export function isEmptyMap(node: YNode | undefined): boolean {
  return isMissingOrNull(node) || (isMap(node) && node.items.length === 0);
}

/** Go's `IsNilOrEmpty` on a value: null, an empty map or an empty sequence. */
export function isNilOrEmpty(node: YNode | undefined): boolean {
  if (isMissingOrNull(node)) return true;
  return (isMap(node) || isSeq(node)) && node.items.length === 0;
}

/** The scalar's text as written (go-yaml `Node.Value`); '' for collections. */
export function nodeText(node: YNode | undefined): string {
  if (node === undefined || !isScalar(node)) return '';
  if (typeof node.value === 'string') return node.value;
  if (typeof node.source === 'string') return node.source;
  return node.value === null ? '' : String(node.value);
}

function keyText(key: unknown): string {
  return isScalar(key) ? nodeText(key as Scalar<unknown>) : String(key);
}

/** Field names in order, duplicates included (kyaml `Fields`). Empty for non-maps. */
export function fieldNames(node: YNode | undefined): string[] {
  if (node === undefined || !isMap(node)) return [];
  return node.items.map((pair) => keyText(pair.key));
}

/** The first entry with this key (kyaml `Field`), or undefined. */
export function fieldPair(
  node: YNode | undefined,
  name: string,
): Pair<unknown, unknown> | undefined {
  if (node === undefined || !isMap(node)) return undefined;
  return node.items.find((pair) => keyText(pair.key) === name);
}

/** The value of the first entry with this key; an entry without value reads as null. */
export function fieldValue(node: YNode | undefined, name: string): YNode | undefined {
  const pair = fieldPair(node, name);
  if (pair === undefined) return undefined;
  return asNode(pair.value, name) ?? new Scalar(null);
}

/** The style of a key node, to reuse when a field is appended (kyaml `AppendKeyStyle`). */
export function keyStyle(pair: Pair<unknown, unknown> | undefined): Scalar['type'] | undefined {
  return pair !== undefined && isScalar(pair.key) ? pair.key.type : undefined;
}

/** Removes the first entry with this key (kyaml `Clear`). */
export function clearField(node: YAMLMap<unknown, unknown>, name: string): void {
  const index = node.items.findIndex((pair) => keyText(pair.key) === name);
  if (index >= 0) node.items.splice(index, 1);
}

/** The elements of a sequence as nodes; a null element reads as a null scalar. */
export function elements(node: YNode | undefined): YNode[] {
  if (node === undefined || !isSeq(node)) return [];
  return node.items.map((item, i) => asNode(item, `[${i}]`) ?? new Scalar(null));
}

/** Whether a YAML 1.1 parser (the apiserver's) would read this plain text as a non-string. */
export function isYaml11NonString(text: string): boolean {
  if (text === '' || text.includes('\n')) return false;
  return yaml11NonString.some((pattern) => pattern.test(text));
}

const yaml11NonString = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL)$/,
  /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
];

/** A plain scalar set from key text, as kyaml's `NewScalarRNode` through `FieldSetter`. */
export function stringScalar(text: string): Scalar<string> {
  const scalar = new Scalar(text);
  // kyaml quotes a tagless scalar that YAML 1.1 would read as a non-string, so it stays a string.
  if (isYaml11NonString(text)) scalar.type = 'QUOTE_DOUBLE';
  return scalar;
}

/**
 * A deep copy of a node tree keeping what the engines read (values, source text, styles,
 * tags). Much faster than the yaml library's `clone()`, which copies property descriptors.
 */
export function cloneNode<T extends YNode>(node: T): T {
  return copy(node) as T;
}

function copy(node: unknown): unknown {
  if (isScalar(node)) {
    const scalar = new Scalar(node.value);
    if (node.type !== undefined) scalar.type = node.type;
    if (node.source !== undefined) scalar.source = node.source;
    if (node.tag !== undefined) scalar.tag = node.tag;
    if (node.format !== undefined) scalar.format = node.format;
    return scalar;
  }
  if (isMap(node)) {
    const map = new YAMLMap<unknown, unknown>();
    if (node.flow !== undefined) map.flow = node.flow;
    if (node.tag !== undefined) map.tag = node.tag;
    map.items = node.items.map((pair) => new Pair(copy(pair.key), copy(pair.value)));
    return map;
  }
  if (isSeq(node)) {
    const seq = new YAMLSeq<unknown>();
    if (node.flow !== undefined) seq.flow = node.flow;
    if (node.tag !== undefined) seq.tag = node.tag;
    seq.items = node.items.map(copy);
    return seq;
  }
  return node;
}
