import { isMap, isScalar, type YAMLMap } from 'yaml';
import {
  matchesRequirements,
  parseLabelSelector,
  type Requirement,
  SelectorError,
} from './label-selector.ts';

/** kustomize's `types.Selector` (a patch `target`, a replacement `select`/`reject`). */
export interface TargetSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** What a selector is matched against: one resource of the build. */
export interface SelectCandidate {
  group: string;
  version: string;
  kind: string;
  /** Names to try, kustomize tries the original (`OrgId`) then the current (`CurId`). */
  names: readonly string[];
  /**
   * Effective namespaces to try, original then current: `default` for none, kustomize's
   * `_non_namespaceable_` marker for cluster-scoped kinds.
   */
  namespaces: readonly string[];
  /** The resource; its metadata.labels and metadata.annotations are read. */
  node: YAMLMap<unknown, unknown>;
}

/** A selector with its patterns compiled, ready for {@link matchesSelector}. */
export interface CompiledSelector {
  readonly selector: TargetSelector;
  readonly group?: RegExp;
  readonly version?: RegExp;
  readonly kind?: RegExp;
  readonly name?: RegExp;
  readonly namespace?: RegExp;
  readonly labels: readonly Requirement[];
  readonly annotations: readonly Requirement[];
}

/**
 * Compiles a Go (RE2) pattern anchored as kustomize's `anchorRegex`: `^(?:pattern)$`.
 * Go's `(?P<name>` groups and leading `(?i)`-style flags are translated.
 */
function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  let body = pattern.replaceAll('(?P<', '(?<');
  let flags = '';
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading) {
    body = body.slice(leading[0].length);
    for (const f of leading[1] ?? '') if (f === 'i' || f === 's' || f === 'm') flags += f;
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SelectorError(`invalid ${field} pattern ${JSON.stringify(pattern)}: ${reason}`);
  }
}

/**
 * Compiles a target selector: group, version, kind, name and namespace are regular
 * expressions matching the whole value; label and annotation selectors use Kubernetes
 * selector syntax (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`).
 *
 * @throws SelectorError for a bad pattern or selector expression.
 */
export function compileSelector(selector: TargetSelector): CompiledSelector {
  const compiled: {
    -readonly [K in keyof CompiledSelector]: CompiledSelector[K];
  } = {
    selector,
    labels: parseLabelSelector(selector.labelSelector ?? ''),
    annotations: parseLabelSelector(selector.annotationSelector ?? ''),
  };
  for (const field of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
    const regex = anchored(selector[field], field);
    if (regex !== undefined) compiled[field] = regex;
  }
  return compiled;
}

/** metadata.labels or metadata.annotations as text (kyaml `GetLabels`/`GetAnnotations`). */
export function readStringMap(
  node: YAMLMap<unknown, unknown>,
  field: 'labels' | 'annotations',
): Map<string, string> {
  const result = new Map<string, string>();
  const metadata = node.get('metadata', true);
  if (!isMap(metadata)) return result;
  const values = metadata.get(field, true);
  if (!isMap(values)) return result;
  for (const pair of values.items) {
    const key = isScalar(pair.key) ? scalarText(pair.key.value, pair.key.source) : String(pair.key);
    const value = isScalar(pair.value) ? scalarText(pair.value.value, pair.value.source) : '';
    result.set(key, value);
  }
  return result;
}

function scalarText(value: unknown, source: string | undefined): string {
  if (typeof value === 'string') return value;
  return source ?? (value === null ? '' : String(value));
}

/**
 * Whether a resource is selected, as kustomize's `resWrangler.Select`: namespace (original
 * or current), name (original or current), group/version/kind, then labels and annotations.
 */
export function matchesSelector(compiled: CompiledSelector, candidate: SelectCandidate): boolean {
  const { namespace, name } = compiled;
  if (namespace && !candidate.namespaces.some((ns) => namespace.test(ns))) return false;
  if (name && !candidate.names.some((n) => name.test(n))) return false;
  if (compiled.group && !compiled.group.test(candidate.group)) return false;
  if (compiled.version && !compiled.version.test(candidate.version)) return false;
  if (compiled.kind && !compiled.kind.test(candidate.kind)) return false;
  if (compiled.labels.length > 0) {
    if (!matchesRequirements(compiled.labels, readStringMap(candidate.node, 'labels')))
      return false;
  }
  if (compiled.annotations.length > 0) {
    const annotations = readStringMap(candidate.node, 'annotations');
    if (!matchesRequirements(compiled.annotations, annotations)) return false;
  }
  return true;
}
