import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import {
  asNode,
  createdScalars,
  type FieldMatch,
  type Node,
  ReplacementError,
  resolvePlain,
  scalarText,
  serialized,
} from './field-path.ts';

/** The kind of node `options.create` makes: the replacement value's kind. */
export type CreateKind = 'map' | 'seq' | 'scalar';

function isIndex(part: string): boolean {
  return /^[+-]?\d+$/.test(part) && Number.parseInt(part, 10) >= 0;
}

function isListIndex(part: string): boolean {
  return part.startsWith('[') && part.endsWith(']');
}

/** kyaml `getPathPartKind`: what to create for a missing part, from the part after it. */
function partKind(next: string | undefined, fallback: CreateKind): CreateKind {
  if (next === undefined || next === '') return fallback;
  return isListIndex(next) || isIndex(next) ? 'seq' : 'map';
}

function newNode(kind: CreateKind): Node {
  if (kind === 'map') return new YAMLMap();
  if (kind === 'seq') return new YAMLSeq();
  const scalar = new Scalar<unknown>(null);
  createdScalars.add(scalar);
  return scalar;
}

function wrongKind(expected: string, part: string): ReplacementError {
  return new ReplacementError(`wrong node kind at ${part}: expected a ${expected}`);
}

/** Go's `regexp` pattern in JavaScript (unanchored, as kyaml matches list elements). */
function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern.replaceAll('(?P<', '(?<'));
  } catch (error) {
    throw new ReplacementError(`invalid pattern ${JSON.stringify(pattern)}: ${String(error)}`);
  }
}

/**
 * kyaml `PathMatcher`, used for replacement targets: every field the path reaches, with `*`
 * for all elements and `[key=regex]` elements. The regex is not anchored, like kyaml's
 * (`[name=app]` also matches `app-sidecar`). With `create`, missing fields and elements are
 * added on the way.
 */
export function matchPath(
  root: Node,
  path: readonly string[],
  create: CreateKind | undefined,
  replaceRoot: (next: Node) => void,
): FieldMatch[] {
  return filter(root, replaceRoot, path, create);
}

function filter(
  node: Node,
  replace: (next: Node) => void,
  path: readonly string[],
  create: CreateKind | undefined,
): FieldMatch[] {
  const [part, ...rest] = path;
  if (part === undefined) return [{ node, replace }];
  if (isIndex(part)) return indexSeq(node, part, rest, create);
  if (isListIndex(part)) return matchSeq(node, part, rest, create, true);
  if (part === '*') {
    if (!isSeq(node)) throw wrongKind('list', part);
    return node.items.flatMap((item, i) => {
      const elem = asNode(item);
      return elem === undefined ? [] : filter(elem, (next) => (node.items[i] = next), rest, create);
    });
  }
  return field(node, part, rest, create);
}

function field(
  node: Node,
  part: string,
  rest: readonly string[],
  create: CreateKind | undefined,
): FieldMatch[] {
  if (isScalar(node) && node.value === null) return [];
  if (!isMap(node)) throw wrongKind('map', part);
  let pair = node.items.find(
    (p) => (isScalar(p.key) ? scalarText(p.key as Scalar) : String(p.key)) === part,
  );
  if (pair === undefined) {
    if (create === undefined) return [];
    pair = new Pair(new Scalar(part), newNode(partKind(rest[0], create)));
    node.items.push(pair);
  }
  const target = pair;
  const value = asNode(target.value) ?? new Scalar(null);
  return filter(value, (next) => (target.value = next), rest, create);
}

function indexSeq(
  node: Node,
  part: string,
  rest: readonly string[],
  create: CreateKind | undefined,
): FieldMatch[] {
  const idx = Number.parseInt(part, 10);
  if (!isSeq(node)) {
    if (isScalar(node) && node.value === null) throw outOfRange(idx, 0);
    throw wrongKind('list', part);
  }
  if (node.items.length === idx && create !== undefined) {
    node.items.push(newNode(partKind(rest[0], create)));
  }
  if (node.items.length < idx + 1) throw outOfRange(idx, node.items.length);
  const elem = asNode(node.items[idx]) ?? new Scalar(null);
  return filter(elem, (next) => (node.items[idx] = next), rest, create);
}

function outOfRange(idx: number, length: number): ReplacementError {
  return new ReplacementError(`index ${idx} specified but only ${length} elements found`);
}

function matchSeq(
  node: Node,
  part: string,
  rest: readonly string[],
  create: CreateKind | undefined,
  mayCreate: boolean,
): FieldMatch[] {
  const inner = part.slice(1, -1);
  const eq = inner.indexOf('=');
  if (eq < 0) {
    throw new ReplacementError(
      `${part}: list path element must contain fieldName=fieldValue for element to match`,
    );
  }
  const name = inner.slice(0, eq);
  const pattern = inner.slice(eq + 1);
  const regex = compile(pattern);
  if (isScalar(node) && node.value === null) return [];
  if (!isSeq(node)) throw wrongKind('list', part);
  const matches: FieldMatch[] = [];
  node.items.forEach((item, i) => {
    const elem = asNode(item);
    if (elem === undefined) return;
    const replace = (next: Node) => {
      node.items[i] = next;
    };
    if (name === '') {
      // A primitive element matches itself; kyaml ignores any path after it.
      if (regex.test(serialized(elem))) matches.push({ node: elem, replace });
      return;
    }
    if (!isMap(elem)) return;
    const keyed = elem.items.find(
      (p) => (isScalar(p.key) ? scalarText(p.key as Scalar) : String(p.key)) === name,
    );
    const value = asNode(keyed?.value);
    if (value === undefined || !regex.test(serialized(value))) return;
    for (const match of filter(elem, replace, rest, create)) matches.push(match);
  });
  if (matches.length > 0 || create === undefined || !mayCreate) return matches;
  const text = new Scalar<unknown>(resolvePlain(pattern));
  createdScalars.add(text);
  if (name === '') {
    node.items.push(text);
  } else {
    const elem = new YAMLMap<unknown, unknown>();
    elem.items.push(new Pair(new Scalar(name), text));
    node.items.push(elem);
  }
  return matchSeq(node, part, rest, create, false);
}
