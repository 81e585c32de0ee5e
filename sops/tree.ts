/**
 * The in-memory model of a SOPS document, mirroring sops's `TreeBranches`: ordered mappings,
 * sequences, typed scalars and comment items. Scalars keep their SOPS type so that a value
 * round-trips with the same `type:` tag and the same MAC bytes.
 */

/** A comment line (text after `#`); `inline` marks a YAML line comment. */
export interface Comment {
  readonly type: 'comment';
  value: string;
  inline: boolean;
}

export interface StrScalar {
  readonly type: 'str';
  value: string;
  /** Raw bytes when the text is not (or may not be) UTF-8, as in the binary store. */
  bytes?: Uint8Array;
}
/** Integers are kept as bigint: sops uses Go int64, beyond JavaScript's safe range. */
export interface IntScalar {
  readonly type: 'int';
  value: bigint;
}
export interface FloatScalar {
  readonly type: 'float';
  value: number;
}
export interface BoolScalar {
  readonly type: 'bool';
  value: boolean;
}
/** A timestamp as Go's RFC 3339 nano text (fraction's trailing zeros trimmed). */
export interface TimeScalar {
  readonly type: 'time';
  value: string;
}
export interface NullScalar {
  readonly type: 'null';
}
export type Scalar = StrScalar | IntScalar | FloatScalar | BoolScalar | TimeScalar | NullScalar;

export interface MapItem {
  key: string;
  value: TreeValue;
}
export interface TreeMap {
  readonly type: 'map';
  items: Array<MapItem | Comment>;
}
export interface TreeSeq {
  readonly type: 'seq';
  items: Array<TreeValue | Comment>;
}
export type TreeValue = TreeMap | TreeSeq | Scalar;

/** One branch per YAML document; exactly one for the other stores. */
export type TreeBranches = TreeMap[];

export function isComment(item: unknown): item is Comment {
  return (item as { type?: unknown }).type === 'comment';
}

export function str(value: string): StrScalar {
  return { type: 'str', value };
}

export function newMap(items: Array<MapItem | Comment> = []): TreeMap {
  return { type: 'map', items };
}

export function comment(value: string, inline = false): Comment {
  return { type: 'comment', value, inline };
}
