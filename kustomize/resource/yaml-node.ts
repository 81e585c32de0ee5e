import { isMap, isScalar, isSeq, type Node, Pair, Scalar, YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Small accessors over eemeli/yaml nodes. Resources are `YAMLMap` nodes; a changed scalar is
 * always a new `Scalar` (never an edited one) so that its parsed `source` text cannot go stale.
 */

export function scalarKey(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return key.value === null ? 'null' : String(key.value);
  return typeof key === 'string' ? key : undefined;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  // `scalarKey(pair) === key`, inlined: this is the engine's most frequent call.
  for (const pair of map.items) {
    const k: unknown = pair.key;
    if (typeof k === 'string') {
      if (k === key) return pair;
    } else if (isScalar(k)) {
      const value = k.value;
      if (value === key) return pair;
      if (typeof value !== 'string' && (value === null ? 'null' : String(value)) === key) {
        return pair;
      }
    }
  }
  return undefined;
}

export function getField(map: YAMLMap, key: string): Node | undefined {
  const value = findPair(map, key)?.value;
  return value === null || value === undefined ? undefined : (value as Node);
}

export function setField(map: YAMLMap, key: string, value: Node): void {
  const pair = findPair(map, key);
  if (pair) pair.value = value;
  else map.items.push(new Pair(new Scalar(key), value));
}

/** Adds a field that `map` is known not to have (no search: generators add thousands). */
export function appendField(map: YAMLMap, key: string, value: Node): void {
  map.items.push(new Pair(new Scalar(key), value));
}

export function deleteField(map: YAMLMap, key: string): void {
  const index = map.items.findIndex((pair) => scalarKey(pair) === key);
  if (index >= 0) map.items.splice(index, 1);
}

export function getMap(map: YAMLMap, key: string): YAMLMap | undefined {
  const value = getField(map, key);
  return isMap(value) ? value : undefined;
}

/** The map at `key`, created (or turned from null into a map) when missing. */
export function ensureMap(map: YAMLMap, key: string): YAMLMap {
  const value = getField(map, key);
  if (isMap(value)) return value;
  const created = new YAMLMap();
  setField(map, key, created);
  return created;
}

export function getSeq(map: YAMLMap, key: string): YAMLSeq | undefined {
  const value = getField(map, key);
  return isSeq(value) ? value : undefined;
}

/** The text of a scalar field (`String` of its value), or undefined. */
export function getString(map: YAMLMap, key: string): string | undefined {
  return scalarText(findPair(map, key)?.value);
}

/** The text of a scalar node (`String` of its value), or undefined for null or a collection. */
export function scalarText(value: unknown): string | undefined {
  if (!isScalar(value) || value.value === null || value.value === undefined) return undefined;
  return typeof value.source === 'string' ? value.source : String(value.value);
}

export function stringScalar(value: string): Scalar<string> {
  return new Scalar(value);
}

export function isNullNode(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}
