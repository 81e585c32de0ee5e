import {
  Document,
  isMap,
  isScalar,
  isSeq,
  type Pair,
  parse,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** A replacement that cannot be carried out; the message says which field and why. */
export class ReplacementError extends Error {
  readonly code = 'InvalidReplacement' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ReplacementError';
  }
}

export type Node = YAMLMap<unknown, unknown> | YAMLSeq<unknown> | Scalar<unknown>;

/** A matched field: its node and how to put another node in its place. */
export interface FieldMatch {
  node: Node;
  replace(next: Node): void;
}

/** Scalars created by `options.create`: tagless in kyaml, so their type follows their text. */
export const createdScalars = new WeakSet<Scalar<unknown>>();

/** kyaml `PathSplitter`: split on the delimiter, `\.` escaping it, one leading `.` dropped. */
function pathSplitter(path: string, delimiter: string): string[] {
  let parts = path.split(delimiter);
  if (parts.length > 1 && parts[0] === '') parts = parts.slice(1);
  const result: string[] = [parts[0] ?? ''];
  for (const part of parts.slice(1)) {
    const last = result.length - 1;
    const previous = result[last] ?? '';
    if (previous.endsWith('\\')) result[last] = `${previous.slice(0, -1)}${delimiter}${part}`;
    else result.push(part);
  }
  return result;
}

/** kyaml `SmarterPathSplitter`: like {@link pathSplitter}, keeping `[a.b=c.d]` whole. */
export function splitFieldPath(path: string): string[] {
  const split = pathSplitter(path, '.');
  const result: string[] = [];
  for (let i = 0; i < split.length; i++) {
    const elem = split[i] ?? '';
    if (!elem.startsWith('[') || elem.endsWith(']')) {
      result.push(elem);
      continue;
    }
    const bracketed = [elem];
    while (i < split.length - 1) {
      i++;
      const next = split[i] ?? '';
      bracketed.push(next);
      if (next.endsWith(']')) break;
    }
    const joined = bracketed.join('.');
    result.push(joined.includes('=') ? joined : joined.replace(/^\[+|\]+$/g, ''));
  }
  return result;
}

function splitIndexNameValue(part: string): [string, string] {
  const inner = part.replace(/^\[/, '').replace(/\]$/, '');
  const eq = inner.indexOf('=');
  if (eq < 0) {
    throw new ReplacementError(
      `${part}: list path element must contain fieldName=fieldValue for element to match`,
    );
  }
  return [inner.slice(0, eq), inner.slice(eq + 1)];
}

export function asNode(value: unknown): Node | undefined {
  if (isMap(value) || isSeq(value) || isScalar(value)) return value as Node;
  return undefined;
}

/** go-yaml `Node.Value`: a scalar's text as written; '' for collections. */
export function scalarText(node: Node | undefined): string {
  if (node === undefined || !isScalar(node)) return '';
  if (typeof node.value === 'string') return node.value;
  if (typeof node.source === 'string') return node.source;
  return node.value === null ? '' : String(node.value);
}

function isNull(node: Node | undefined): boolean {
  return node === undefined || (isScalar(node) && node.value === null);
}

function mapValue(
  map: YAMLMap<unknown, unknown>,
  name: string,
): Pair<unknown, unknown> | undefined {
  return map.items.find(
    (pair) => (isScalar(pair.key) ? scalarText(pair.key as Scalar) : String(pair.key)) === name,
  );
}

/**
 * kyaml `Lookup` (`PathGetter` without create), used for a replacement's source: fields,
 * non-negative indices, `-` for the last element and `[key=value]` exact element matches.
 */
export function lookupField(root: Node, path: readonly string[]): Node | undefined {
  let current: Node | undefined = root;
  for (const rawPart of path) {
    const part = rawPart.trim();
    if (part === '') continue;
    if (current === undefined || isNull(current)) return undefined;
    if (/^[+-]?\d+$/.test(part)) {
      const idx = Number.parseInt(part, 10);
      if (idx < 0) throw new ReplacementError(`array index ${idx} cannot be negative`);
      current = isSeq(current) ? asNode(current.items[idx]) : undefined;
    } else if (part === '-') {
      current = isSeq(current) ? asNode(current.items.at(-1)) : undefined;
    } else if (part === '*') {
      throw new ReplacementError('wildcard is not supported in a replacement source');
    } else if (part.startsWith('[') && part.endsWith(']')) {
      const [name, value] = splitIndexNameValue(part);
      current = isSeq(current) ? findExact(current, name, value) : undefined;
    } else {
      current = isMap(current) ? asNode(mapValue(current, part)?.value) : undefined;
    }
  }
  return current;
}

function findExact(seq: YAMLSeq<unknown>, name: string, value: string): Node | undefined {
  for (const item of seq.items) {
    const node = asNode(item);
    if (node === undefined) continue;
    if (name === '' && scalarText(node) === value) return node;
    if (name !== '' && isMap(node)) {
      const field = mapValue(node, name);
      if (field !== undefined && scalarText(asNode(field.value)) === value) return node;
    }
  }
  return undefined;
}

/** The node as kyaml's `RNode.String()` writes it, trimmed (what `[key=regex]` is tested on). */
function serialized(node: Node): string {
  if (isScalar(node) && (node.type === undefined || node.type === 'PLAIN')) return scalarText(node);
  return new Document(node).toString().trim();
}

export { serialized };

/**
 * The value go-yaml gives a tagless plain scalar with this text: a number, boolean or null
 * when the text reads as one, else the string.
 */
export function resolvePlain(text: string): unknown {
  if (text === '') return null;
  if (/[\n:#[\]{},&*!|>'"%@`]/.test(text) && !/^[-+]?[0-9.eE_xXoObB]+$/.test(text)) return text;
  try {
    const value: unknown = parse(text);
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  } catch {
    // Not a scalar: it stays the text.
  }
  return text;
}
