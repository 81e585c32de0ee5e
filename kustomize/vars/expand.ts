import { isMap, isScalar, isSeq, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/** A var's value as kustomize reads it from a field: a typed primitive. */
export type VarValue =
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean };

/** A var that cannot be defined or substituted; the message names the var. */
export class VarError extends Error {
  readonly code = 'InvalidVar' as const;
  constructor(message: string) {
    super(message);
    this.name = 'VarError';
  }
}

/** Looks a var name up; undefined leaves `$(NAME)` in place. */
export type VarMapping = (name: string) => VarValue | undefined;

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e21. */
function formatGoFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(value)));
  if (exp < -4 || exp >= 21) {
    const [mantissa = '', power = '0'] = value.toExponential().split('e');
    const sign = power.startsWith('-') ? '-' : '+';
    const digits = power.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** A var value as text inside a longer string (Go's `fmt.Sprintf("%v")`). */
export function formatVarValue(value: VarValue): string {
  if (value.type === 'float') return formatGoFloat(value.value);
  return String(value.value);
}

/**
 * kustomize `refvar.DoReplacements`: replaces each `$(NAME)` by its value, `$$` by `$`, and
 * keeps unknown names and other `$` text as written. A string that is exactly one `$(NAME)`
 * becomes the value itself, with its type (so `$(PORT)` can become the integer 80).
 */
export function doReplacements(input: string, mapping: VarMapping): VarValue {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(' && rest.indexOf(')', 1) > 0) {
      const close = rest.indexOf(')', 1);
      const name = rest.slice(1, close);
      const mapped = mapping(name);
      if (input === `$(${name})`) return mapped ?? { type: 'string', value: input };
      out += mapped === undefined ? `$(${name})` : formatVarValue(mapped);
      advance = close + 1;
    } else {
      out += `$${rest[0]}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return { type: 'string', value: out + input.slice(checkpoint) };
}

/** go-yaml's `IsYNodeString`: a scalar tagged (or resolved as) a string. */
function isStringScalar(node: unknown): node is Scalar<string> {
  return isScalar(node) && typeof node.value === 'string';
}

/** kustomize `updateNodeValue`: the scalar takes the value, its type and the plain style. */
function updateScalar(node: Scalar<unknown>, value: VarValue): void {
  node.value = value.value;
  node.type = 'PLAIN';
  // kustomize sets the tag that goes with the value's type; the written text is gone.
  delete node.source;
  delete node.tag;
}

/**
 * Substitutes vars in a field reached by a `varReference` field spec, as kustomize's refvar
 * filter: a string scalar; the string values of a map (whose keys must be strings); or every
 * item of a list, which must all be strings. Other scalars are left alone.
 *
 * @throws VarError for a non-string map key or list item, as kustomize refuses them.
 */
export function expandVarsInNode(node: unknown, mapping: VarMapping): void {
  if (isScalar(node)) {
    if (isStringScalar(node)) updateScalar(node, doReplacements(node.value, mapping));
    return;
  }
  if (isMap(node)) {
    for (const pair of (node as YAMLMap<unknown, unknown>).items) {
      if (!isStringScalar(pair.key) && typeof pair.key !== 'string') {
        throw new VarError(`invalid map key: value='${String(pair.key)}', tag='non-string'`);
      }
      if (isStringScalar(pair.value))
        updateScalar(pair.value, doReplacements(pair.value.value, mapping));
    }
    return;
  }
  if (isSeq(node)) {
    for (const item of (node as YAMLSeq<unknown>).items) {
      if (!isStringScalar(item)) throw new VarError('invalid value type expect a string');
      updateScalar(item, doReplacements(item.value, mapping));
    }
  }
}

/**
 * The lookup kustomize builds from the resolved vars (`MakePrimitiveReplacer`), counting
 * uses so that the caller can report vars that were never substituted.
 */
export function makeVarMapping(values: ReadonlyMap<string, VarValue>): {
  mapping: VarMapping;
  counts: Map<string, number>;
} {
  const counts = new Map<string, number>();
  const mapping: VarMapping = (name) => {
    const value = values.get(name);
    if (value !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
    return value;
  };
  return { mapping, counts };
}
