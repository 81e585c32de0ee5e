import { isMap, isScalar, isSeq, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { findPair } from '../resource/yaml-node.ts';

/** What kind of node a field spec creates at its end when `create` is set. */
export type CreateKind = 'scalar' | 'map';

/** The node a field spec reached, and how to replace it. */
export interface FieldVisit {
  node: Node;
  replace(node: Node): void;
}

/** Splits a field-spec path on `/`, keeping `\/` as a slash inside a key. */
export function splitFieldPath(path: string): string[] {
  if (!path.includes('\\')) return path.split('/');
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && path[i + 1] === '/') {
      current += '/';
      i++;
    } else if (ch === '/') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function isNullish(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/**
 * Walks a field-spec path through a resource like kyaml's fieldspec filter: sequences met on the
 * way are entered element by element, missing fields end the walk unless `create` is set (and
 * the segment is not marked `[]`), null values stop it, and a scalar in the middle is an error.
 */
export function walkFieldPath(
  root: Node,
  path: readonly string[],
  create: CreateKind | undefined,
  visit: (field: FieldVisit) => void,
): void {
  walk(root, path, 0, create, visit, undefined, 0);
}

/** What holds a node: a pair (its value), a sequence (item `index`), or nothing (the root). */
type Holder = Pair | YAMLSeq | undefined;

/** How to replace the node `holder` holds; made only for visited nodes, not at every level. */
function replacer(holder: Holder, index: number): (node: Node) => void {
  if (holder === undefined) {
    return () => {
      throw new KustomizeError('InvalidResource', 'cannot replace the resource root');
    };
  }
  if (isSeq(holder)) {
    return (next) => {
      holder.items[index] = next;
    };
  }
  return (next) => {
    holder.value = next;
  };
}

/** Walks `path` from segment `at` on (an index instead of a slice per level). */
function walk(
  node: Node,
  path: readonly string[],
  at: number,
  create: CreateKind | undefined,
  visit: (field: FieldVisit) => void,
  holder: Holder,
  index: number,
): void {
  if (at === path.length) {
    visit({ node, replace: replacer(holder, index) });
    return;
  }
  if (isNullish(node)) return;
  if (isSeq(node)) {
    const count = node.items.length;
    for (let i = 0; i < count; i++) walk(node.items[i] as Node, path, at, create, visit, node, i);
    return;
  }
  if (!isMap(node)) {
    throw new KustomizeError(
      'InvalidResource',
      `expected sequence or mapping node at '${path.slice(at).join('/')}'`,
    );
  }
  const segment = path[at] as string;
  const isSeqHint = segment.endsWith('[]');
  const name = isSeqHint ? segment.slice(0, -2) : segment;
  const isLast = at === path.length - 1;
  let pair = findPair(node, name);
  const createKind: CreateKind | undefined =
    create === undefined || isSeqHint ? undefined : isLast ? create : 'map';
  if (pair === undefined) {
    if (createKind === undefined) return;
    pair = new Pair(new Scalar(name), createKind === 'map' ? new YAMLMap() : new Scalar(''));
    node.items.push(pair);
  } else if (isNullish(pair.value)) {
    if (isSeqHint) pair.value = new YAMLSeq();
    else if (createKind === 'map') pair.value = new YAMLMap();
    else if (createKind === 'scalar') pair.value = new Scalar('');
  }
  if (pair.value === null || pair.value === undefined) {
    if (!isLast) return;
    visit({ node: new Scalar(null), replace: replacer(pair, 0) });
    return;
  }
  walk(pair.value as Node, path, at + 1, create, visit, pair, 0);
}
