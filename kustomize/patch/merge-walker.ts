import { isMap, type Scalar, type YAMLMap } from 'yaml';
import { hasMergeStrategy, type PatchSchema, type ResolvedSchema } from '../schema/index.ts';
import { mergeAssociativeList } from './associative-list.ts';
import { keepNull, setField } from './field-setter.ts';
import { takeSmpDirective } from './smp-directive.ts';
import {
  fieldNames,
  fieldPair,
  fieldValue,
  isMissingOrNull,
  keyStyle,
  nodeKind,
  nodeText,
  PatchError,
  type YNode,
} from './yaml-node.ts';

/** Which end of a merged list receives the patch's new elements. */
export type ListIncreaseDirection = 'append' | 'prepend';

/** The walk's fixed inputs (kyaml `Walker` fields that do not change per level). */
export interface WalkContext {
  readonly schema: PatchSchema;
  readonly listIncreaseDirection: ListIncreaseDirection;
}

/** The two nodes merged at one level: `dest` (the resource) and `origin` (the patch). */
export interface Sources {
  dest: YNode | undefined;
  origin: YNode | undefined;
}

/**
 * One level of kyaml's `walk.Walker` with the merge2 `Merger` visitor. Returns the merged
 * node, or undefined when the field is to be cleared. Mutates `dest` in place, like kyaml.
 */
export function walk(
  ctx: WalkContext,
  sources: Sources,
  schema: ResolvedSchema | undefined,
  path: readonly string[],
): YNode | undefined {
  const resolved = schema ?? schemaFromTypeMeta(ctx, sources);
  const kind = walkKind(sources);
  if (kind !== undefined) assertKinds(sources, kind, path);
  if (kind === 'seq') {
    if (resolved !== undefined && hasMergeStrategy(resolved)) {
      return mergeAssociativeList(ctx, sources, resolved, path);
    }
    // Lists without a merge strategy (and all lists of unknown types) are replaced.
    return sources.origin ?? sources.dest;
  }
  if (kind === 'scalar') return sources.origin ?? sources.dest;
  return walkMap(ctx, sources, resolved, path);
}

/** The kind of the first source that is neither absent nor null; undefined walks as a map. */
function walkKind(sources: Sources): 'map' | 'seq' | 'scalar' | undefined {
  for (const node of [sources.dest, sources.origin]) {
    if (!isMissingOrNull(node)) return nodeKind(node);
  }
  return undefined;
}

function assertKinds(sources: Sources, kind: string, path: readonly string[]): void {
  for (const node of [sources.dest, sources.origin]) {
    if (isMissingOrNull(node) || nodeKind(node) === kind) continue;
    throw new PatchError(
      'WrongNodeKind',
      `${path.join('.') || '(root)'}: wrong node kind: expected ${kind} but got ${nodeKind(node)}`,
    );
  }
}

/**
 * kyaml `GetSchema`: without a schema from the parent, a map that names its own apiVersion
 * and kind (the resource itself, or an embedded object) is looked up by type.
 */
function schemaFromTypeMeta(ctx: WalkContext, sources: Sources): ResolvedSchema | undefined {
  for (const node of [sources.dest, sources.origin]) {
    if (node === undefined || !isMap(node)) continue;
    const apiVersion = nodeText(fieldValue(node, 'apiVersion'));
    const kind = nodeText(fieldValue(node, 'kind'));
    if (apiVersion === '' || kind === '') continue;
    const found = ctx.schema.forResource(apiVersion, kind);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** merge2 `VisitMap`: add, clear, replace or keep the destination map. */
function visitMap(sources: Sources, path: readonly string[]): YNode | undefined {
  const { dest, origin } = sources;
  const where = path.join('.') || '(root)';
  if (isMissingOrNull(dest)) {
    let directive = 'merge';
    try {
      directive = takeSmpDirective(origin, where);
    } catch {
      // kyaml ignores a bad directive when adding (a scalar patch value has none).
    }
    if (directive === 'delete') return undefined;
    // A `null`/`~` written in the resource and untouched by the patch is kept.
    if (origin === undefined && dest !== undefined && (dest as Scalar).source) {
      return keepNull(dest);
    }
    return origin;
  }
  if (isMissingOrNull(origin) && origin !== undefined) return undefined;
  const directive = takeSmpDirective(origin, where);
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return origin;
  return dest;
}

function walkMap(
  ctx: WalkContext,
  sources: Sources,
  schema: ResolvedSchema | undefined,
  path: readonly string[],
): YNode | undefined {
  const dest = visitMap(sources, path);
  if (dest === undefined) return undefined;
  const origin = sources.origin;
  if (!isMap(dest)) return dest; // a kept null
  const names = [...new Set([...fieldNames(dest), ...fieldNames(origin)])].sort(compareGo);
  for (const name of names) {
    const fieldSchema = schema === undefined ? undefined : ctx.schema.field(schema, name);
    const destPair = fieldPair(dest, name);
    const originPair = fieldPair(origin, name);
    const value = walk(
      ctx,
      { dest: fieldValue(dest, name), origin: fieldValue(origin, name) },
      fieldSchema,
      [...path, name],
    );
    const style =
      value !== undefined && value === originPair?.value
        ? keyStyle(originPair)
        : keyStyle(destPair);
    setField(dest as YAMLMap<unknown, unknown>, name, value, style);
  }
  return dest;
}

/** Go's `sort.Strings`: byte order of the UTF-8 encoding. */
export function compareGo(a: string, b: string): number {
  // UTF-16 code unit order equals UTF-8 byte order unless a surrogate pair is involved.
  if (!hasSurrogate.test(a) && !hasSurrogate.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const hasSurrogate = /[\uD800-\uDFFF]/;
