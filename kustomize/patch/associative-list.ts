import { isMap, isScalar, isSeq, type YAMLMap, YAMLSeq } from 'yaml';
import { listStrategy, type ResolvedSchema } from '../schema/index.ts';
import { elementKeyValues, findElement, setElement } from './element-setter.ts';
import { setField } from './field-setter.ts';
import { type Sources, type WalkContext, walk } from './merge-walker.ts';
import { takeSmpDirective } from './smp-directive.ts';
import {
  elements,
  fieldPair,
  fieldValue,
  isEmptyMap,
  isMissingOrNull,
  nodeText,
  PatchError,
  stringScalar,
  type YNode,
} from './yaml-node.ts';

/**
 * A list whose schema has the `merge` patch strategy: kyaml `walkAssociativeSequence` with
 * merge2's `VisitList`. Elements are matched by the merge keys (list-map-keys first), or by
 * value for primitive lists such as `finalizers`.
 */
export function mergeAssociativeList(
  ctx: WalkContext,
  sources: Sources,
  schema: ResolvedSchema,
  path: readonly string[],
): YNode | undefined {
  const dest = visitList(sources, path);
  if (dest === undefined) return undefined;
  const merged: Sources = { dest, origin: sources.origin };
  const { keys } = listStrategy(schema);
  const values = keyValues(ctx, merged, keys);
  if (values.length > 0 || keys.length > 0) {
    return setElements(ctx, merged, schema, values, keys);
  }
  return setElements(ctx, merged, schema, primitiveValues(ctx, merged), ['']);
}

function visitList(sources: Sources, path: readonly string[]): YNode | undefined {
  const { dest, origin } = sources;
  if (isMissingOrNull(dest)) return origin;
  if (origin !== undefined && isMissingOrNull(origin)) return undefined;
  const directive = takeSmpDirective(origin, path.join('.'));
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return origin;
  return dest;
}

/** Sources in the order their elements are listed: the patch first when prepending. */
function ordered(ctx: WalkContext, sources: Sources): (YNode | undefined)[] {
  return ctx.listIncreaseDirection === 'prepend'
    ? [sources.origin, sources.dest]
    : [sources.dest, sources.origin];
}

/** kyaml `elementValues`: the distinct merge-key value tuples, in list order. */
function keyValues(ctx: WalkContext, sources: Sources, keys: readonly string[]): string[][] {
  const result: string[][] = [];
  const seen = new Set<string>();
  for (const list of ordered(ctx, sources)) {
    for (const values of elementKeyValues(list, keys)) {
      const id = JSON.stringify(values);
      if (values.length === 0 || seen.has(id)) continue;
      result.push(values);
      seen.add(id);
    }
  }
  return result;
}

/** kyaml `elementPrimitiveValues`: the distinct element texts, in list order. */
function primitiveValues(ctx: WalkContext, sources: Sources): string[][] {
  const result: string[][] = [];
  const seen = new Set<string>();
  for (const list of ordered(ctx, sources)) {
    if (list === undefined || !isSeq(list)) continue;
    for (const item of elements(list)) {
      const text = nodeText(item);
      if (seen.has(text)) continue;
      result.push([text]);
      seen.add(text);
    }
  }
  return result;
}

/** kyaml `validateKeys`: drop the keys that no element has a value for. */
function validateKeys(
  valuesList: readonly string[][],
  values: readonly string[],
  keys: readonly string[],
): { keys: string[]; values: string[] } {
  const valid = new Set<string>();
  for (const tuple of valuesList) {
    tuple.forEach((v, i) => {
      if (v !== '') valid.add(keys[i] ?? '');
    });
  }
  if (valid.size === 0) return { keys: [...keys], values: [...values] };
  return {
    keys: keys.filter((k) => valid.has(k)),
    values: values.filter((v, i) => v !== '' || valid.has(keys[i] ?? '')),
  };
}

/** kyaml `mergeValues`: tuples that agree where both have values are unified. */
function mergeValues(valuesList: string[][]): string[][] {
  for (let i = 0; i < valuesList.length; i++) {
    for (let j = 0; j < valuesList.length; j++) {
      const unified = unify(valuesList[i] ?? [], valuesList[j] ?? []);
      if (unified !== undefined) {
        valuesList[i] = unified;
        valuesList[j] = unified;
      }
    }
  }
  return valuesList;
}

function unify(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const result: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x === y) {
      common = true;
      result.push(x);
    } else if (x !== '' && y !== '') {
      return undefined;
    } else {
      result.push(x !== '' ? x : y);
    }
  }
  return common ? result : undefined;
}

/** kyaml `setAssociativeSequenceElements`. */
function setElements(
  ctx: WalkContext,
  sources: Sources,
  schema: ResolvedSchema,
  valuesList: string[][],
  keys: readonly string[],
): YNode | undefined {
  const dest = sources.dest as YAMLSeq<unknown>;
  const toAdd = new YAMLSeq<unknown>();
  const elementSchema = ctx.schema.elements(schema);
  const tuples = keys.length > 1 ? mergeValues(valuesList) : valuesList;
  let validKeys: string[] = [...keys];
  for (const values of tuples) {
    if (values.length === 0) continue;
    const valid = validateKeys(tuples, values, keys);
    validKeys = valid.keys;
    const element = walkElement(ctx, sources, elementSchema, valid.keys, valid.values);
    if (isMissingOrNull(element) || isEmptyMap(element)) {
      setElement(dest, undefined, valid.keys, valid.values);
      continue;
    }
    restoreKeys(element, valid.keys, valid.values);
    setElement(toAdd, element, valid.keys, valid.values);
  }
  if (tuples.length === 0) return dest;
  if (ctx.listIncreaseDirection === 'prepend') return appendList(toAdd, dest, validKeys);
  return appendList(dest, toAdd, validKeys);
}

function walkElement(
  ctx: WalkContext,
  sources: Sources,
  schema: ResolvedSchema | undefined,
  keys: readonly string[],
  values: readonly string[],
): YNode | undefined {
  const only = validateKeys([[...values]], values, keys);
  return walk(
    ctx,
    {
      dest: findElement(sources.dest, only.keys, only.values),
      origin: findElement(sources.origin, only.keys, only.values),
    },
    schema,
    [],
  );
}

/** A merged element keeps its merge keys (kyaml sets any the patch removed). */
function restoreKeys(element: YNode, keys: readonly string[], values: readonly string[]): void {
  keys.forEach((key, i) => {
    const value = values[i] ?? '';
    if (key === '' || value === '' || fieldPair(element, key) !== undefined) return;
    if (!isMap(element)) {
      throw new PatchError('WrongNodeKind', `merge key ${key}: list element is not a map`);
    }
    setField(element as YAMLMap<unknown, unknown>, key, stringScalar(value));
  });
}

/** kyaml `appendListNode`: adds each element of `src` to `dst`, replacing matches. */
function appendList(dst: YAMLSeq<unknown>, src: YNode, keys: readonly string[]): YAMLSeq<unknown> {
  for (const elem of elements(src)) {
    if (keys.length === 0 || keys[0] === '') {
      setElement(dst, elem, [''], [nodeText(elem)]);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      if (!isMissingOrNull(elem) && !isMap(elem)) {
        throw new PatchError('WrongNodeKind', `merge key ${key}: list element is not a map`);
      }
      const value =
        isMap(elem) && fieldPair(elem, key) !== undefined ? fieldValue(elem, key) : undefined;
      if (value === undefined) {
        // kyaml appends an element without the key and still runs the setter below.
        dst.items.push(elem);
        continue;
      }
      values.push(isScalar(value) ? nodeText(value) : '');
    }
    if (keys.length > 1) setElement(dst, undefined, keys, values);
    setElement(dst, elem, keys, values);
  }
  return dst;
}
