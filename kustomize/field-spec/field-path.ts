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
  walk(root, path, create, visit, () => {
    throw new KustomizeError('InvalidResource', 'cannot replace the resource root');
  });
}

function walk(
  node: Node,
  path: readonly string[],
  create: CreateKind | undefined,
  visit: (field: FieldVisit) => void,
  replace: (node: Node) => void,
): void {
  if (path.length === 0) {
    visit({ node, replace });
    return;
  }
  if (isNullish(node)) return;
  if (isSeq(node)) {
    node.items.forEach((item, index) => {
      walk(item as Node, path, create, visit, (next) => {
        node.items[index] = next;
      });
    });
    return;
  }
  if (!isMap(node)) {
    throw new KustomizeError(
      'InvalidResource',
      `expected sequence or mapping node at '${path.join('/')}'`,
    );
  }
  const segment = path[0] as string;
  const isSeqHint = segment.endsWith('[]');
  const name = isSeqHint ? segment.slice(0, -2) : segment;
  const isLast = path.length === 1;
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
  const target = pair;
  if (target.value === null || target.value === undefined) {
    if (path.length > 1) return;
    visit({ node: new Scalar(null), replace: (next) => (target.value = next) });
    return;
  }
  walk(target.value as Node, path.slice(1), create, visit, (next) => {
    target.value = next;
  });
}
