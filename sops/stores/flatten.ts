import { SopsError } from '../errors.ts';
import type { MapItem, TreeMap, TreeValue } from '../tree.ts';
import { isComment, str } from '../tree.ts';

const MAP = '__map_';
const LIST = '__list_';

/** A flattened metadata entry: `age__list_0__map_enc` → text. */
export interface FlatEntry {
  key: string;
  value: string;
}

function scalarText(value: TreeValue): string {
  switch (value.type) {
    case 'int':
      return value.value.toString();
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'str':
    case 'time':
      return value.value;
    case 'float':
      return String(value.value);
    default:
      return '';
  }
}

/** Flattens the metadata mapping for the dotenv and INI stores, as sops does. */
export function flattenMetadata(map: TreeMap, prefix: string): FlatEntry[] {
  const out: FlatEntry[] = [];
  const visit = (value: TreeValue, key: string): void => {
    if (value.type === 'map') {
      for (const item of value.items)
        if (!isComment(item)) visit(item.value, `${key}${MAP}${item.key}`);
    } else if (value.type === 'seq') {
      let i = 0;
      for (const item of value.items) if (!isComment(item)) visit(item, `${key}${LIST}${i++}`);
    } else if (value.type !== 'null') {
      out.push({ key, value: scalarText(value) });
    }
  };
  for (const item of map.items) if (!isComment(item)) visit(item.value, `${prefix}${item.key}`);
  return out;
}

type Token = { map: string } | { list: number };

function tokenize(key: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /__(map|list)_/g;
  let last = 0;
  let kind: 'first' | 'map' | 'list' = 'first';
  const push = (end: number, skip: number): void => {
    const text = key.slice(last + skip, end);
    tokens.push(kind === 'list' ? { list: Number.parseInt(text, 10) } : { map: text });
  };
  for (let match = pattern.exec(key); match; match = pattern.exec(key)) {
    push(match.index, kind === 'first' ? 0 : kind === 'map' ? MAP.length : LIST.length);
    kind = match[1] === 'map' ? 'map' : 'list';
    last = match.index;
  }
  push(key.length, kind === 'first' ? 0 : kind === 'map' ? MAP.length : LIST.length);
  return tokens;
}

interface Node {
  value?: string;
  keys?: Map<string, Node>;
  indices?: Map<number, Node>;
}

function convert(node: Node): TreeValue {
  const kinds = [
    node.value !== undefined,
    (node.keys?.size ?? 0) > 0,
    (node.indices?.size ?? 0) > 0,
  ].filter(Boolean).length;
  if (kinds > 1)
    throw new SopsError(
      'InvalidMetadata',
      'flattened sops metadata mixes a value and a container under one key',
    );
  if (node.value !== undefined) return str(node.value);
  if (node.indices && node.indices.size > 0) {
    const size = node.indices.size;
    const items: TreeValue[] = [];
    for (let i = 0; i < size; i++) {
      const child = node.indices.get(i);
      if (!child)
        throw new SopsError('InvalidMetadata', 'flattened sops metadata has an incomplete list');
      items.push(convert(child));
    }
    return { type: 'seq', items };
  }
  const items: MapItem[] = [...(node.keys?.keys() ?? [])]
    .sort()
    .map((key) => ({ key, value: convert(node.keys?.get(key) ?? {}) }));
  return { type: 'map', items };
}

/** Rebuilds the nested metadata from flattened entries (prefix already removed). */
export function unflattenMetadata(entries: FlatEntry[]): TreeMap {
  const root: Node = {};
  for (const entry of entries) {
    let node = root;
    for (const token of tokenize(entry.key)) {
      if ('map' in token) {
        node.keys ??= new Map();
        const next = node.keys.get(token.map) ?? {};
        node.keys.set(token.map, next);
        node = next;
      } else {
        if (!Number.isInteger(token.list) || token.list < 0)
          throw new SopsError('InvalidMetadata', `bad flattened sops metadata key "${entry.key}"`);
        node.indices ??= new Map();
        const next = node.indices.get(token.list) ?? {};
        node.indices.set(token.list, next);
        node = next;
      }
    }
    if (node.value !== undefined)
      throw new SopsError(
        'InvalidMetadata',
        `duplicate flattened sops metadata key "${entry.key}"`,
      );
    node.value = entry.value;
  }
  return convert(root) as TreeMap;
}
