import { isMap, isScalar, isSeq, Scalar, type YAMLMap } from 'yaml';
import { cloneNode } from '../patch/index.ts';
import {
  matchesRequirements,
  parseLabelSelector,
  type Requirement,
  readStringMap,
} from '../select/index.ts';
import {
  createdScalars,
  lookupField,
  type Node,
  ReplacementError,
  resolvePlain,
  scalarText,
  splitFieldPath,
} from './field-path.ts';
import { type CreateKind, matchPath } from './path-matcher.ts';
import type {
  Replacement,
  ReplacementOptions,
  ReplacementTarget,
  ResIdSelector,
  ResourceRef,
} from './types.ts';

const defaultFieldPath = 'metadata.name';

/** A resource id, as kustomize's `resid.ResId`. */
export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

function text(map: YAMLMap<unknown, unknown> | undefined, key: string): string {
  if (map === undefined) return '';
  const value = map.get(key, true);
  return isScalar(value) ? scalarText(value as Scalar) : '';
}

/** The resource's current id read from its node, then its earlier ids (kustomize `MakeResIds`). */
function resourceIds(resource: ResourceRef): ResId[] {
  const apiVersion = text(resource.node, 'apiVersion');
  const slash = apiVersion.indexOf('/');
  const metadata = resource.node.get('metadata', true);
  const meta = isMap(metadata) ? (metadata as YAMLMap<unknown, unknown>) : undefined;
  const current: ResId = {
    group: slash >= 0 ? apiVersion.slice(0, slash) : '',
    version: slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion,
    kind: text(resource.node, 'kind'),
    name: text(meta, 'name'),
    namespace: text(meta, 'namespace'),
  };
  return [current, ...(resource.previousIds ?? [])];
}

function defaultEffectiveNamespace(id: ResId): string {
  return id.namespace === '' ? 'default' : id.namespace;
}

/** kustomize `ResId.IsSelectedBy`: exact group/version/kind/name, namespace compared effectively. */
function isSelectedBy(id: ResId, selector: ResIdSelector, options: ReplacementOptions): boolean {
  const effective = options.effectiveNamespace ?? defaultEffectiveNamespace;
  if (selector.name && selector.name !== id.name) return false;
  if (selector.namespace) {
    const asId: ResId = {
      group: selector.group ?? '',
      version: selector.version ?? '',
      kind: selector.kind ?? '',
      name: selector.name ?? '',
      namespace: selector.namespace,
    };
    if (effective(asId) !== effective(id)) return false;
  }
  if (selector.group && selector.group !== id.group) return false;
  if (selector.version && selector.version !== id.version) return false;
  if (selector.kind && selector.kind !== id.kind) return false;
  return true;
}

/** kustomize `ResId.String()`: `Kind.version.group/name.namespace` with markers for blanks. */
function describe(selector: ResIdSelector): string {
  const or = (value: string | undefined, blank: string) => (value ? value : blank);
  const gvk = [
    or(selector.kind, '[noKind]'),
    or(selector.version, '[noVer]'),
    or(selector.group, '[noGrp]'),
  ];
  return `${gvk.join('.')}/${or(selector.name, '[noName]')}.${or(selector.namespace, '[noNs]')}`;
}

function selectSource(
  resources: readonly ResourceRef[],
  replacement: Replacement,
  options: ReplacementOptions,
): ResourceRef {
  const source = replacement.source ?? {};
  const matches = resources.filter((r) =>
    resourceIds(r).some((id) => isSelectedBy(id, source, options)),
  );
  if (matches.length > 1)
    throw new ReplacementError(`multiple matches for selector ${describe(source)}`);
  const [match] = matches;
  if (match === undefined) throw new ReplacementError(`nothing selected by ${describe(source)}`);
  return match;
}

/** The value a replacement copies: the source field, or one part of it with `delimiter`. */
function sourceValue(
  resources: readonly ResourceRef[],
  replacement: Replacement,
  options: ReplacementOptions,
): Node {
  const selected = selectSource(resources, replacement, options);
  const source = replacement.source ?? {};
  const fieldPath = source.fieldPath || defaultFieldPath;
  const found = lookupField(selected.node, splitFieldPath(fieldPath));
  const empty =
    found === undefined ||
    (isScalar(found) && found.value === null) ||
    ((isMap(found) || isSeq(found)) && found.items.length === 0);
  if (found === undefined || empty) {
    throw new ReplacementError(
      `fieldPath \`${fieldPath}\` is missing for replacement source ${describe(source)}`,
    );
  }
  const delimiter = source.options?.delimiter ?? '';
  if (delimiter === '') return found;
  if (!isScalar(found))
    throw new ReplacementError('delimiter option can only be used with scalar nodes');
  const parts = scalarText(found).split(delimiter);
  const index = source.options?.index ?? 0;
  if (index >= parts.length || index < 0) {
    throw new ReplacementError(
      `options.index ${index} is out of bounds for value ${scalarText(found)}`,
    );
  }
  const part = cloneNode(found);
  part.value = withText(found, parts[index] ?? '');
  return part;
}

/** A scalar's value after only its text changes (its tag, hence its type, is kept). */
function withText(target: Scalar<unknown>, next: string): unknown {
  if (createdScalars.has(target)) return resolvePlain(next);
  const current = target.value;
  if (typeof current === 'string') return next;
  const resolved = resolvePlain(next);
  const sameType = current === null ? resolved === null : typeof resolved === typeof current;
  if (!sameType) {
    // go-yaml then fails to read the resource back; kustomize reports it the same way.
    const tag = current === null ? '!!null' : typeof current === 'boolean' ? '!!bool' : '!!int';
    throw new ReplacementError(`cannot decode \`${next}\` as a ${tag}`);
  }
  return resolved;
}

/** Copies the value into one target field (kustomize `setFieldValue`). */
function setFieldValue(
  target: ReplacementTarget,
  match: { node: Node; replace(next: Node): void },
  value: Node,
): void {
  let copy: Node = cloneNode(value);
  const delimiter = target.options?.delimiter ?? '';
  if (delimiter !== '') {
    if (!isScalar(match.node))
      throw new ReplacementError('delimiter option can only be used with scalar nodes');
    const parts = scalarText(match.node).split(delimiter);
    const v = scalarText(copy);
    const index = target.options?.index ?? 0;
    if (index < 0) parts.unshift(v);
    else if (index >= parts.length) parts.push(v);
    else parts[index] = v;
    const joined = new Scalar<unknown>(parts.join(delimiter));
    copy = joined;
  }
  if (isScalar(match.node)) {
    // kyaml replaces only the text of a scalar target, keeping its tag and style.
    match.node.value = withText(match.node, scalarText(copy));
    delete match.node.source;
    createdScalars.delete(match.node);
    return;
  }
  match.replace(copy);
}

type LabelSelectors = { labelSelector?: string; annotationSelector?: string };

/** Parsed selector expressions, per selector object (one parse per replacement target). */
const parsedSelectors = new WeakMap<
  LabelSelectors,
  { labels: Requirement[]; annotations: Requirement[] }
>();

function matchesLabels(node: YAMLMap<unknown, unknown>, selector: LabelSelectors): boolean {
  let parsed = parsedSelectors.get(selector);
  if (parsed === undefined) {
    parsed = {
      labels: parseLabelSelector(selector.labelSelector ?? ''),
      annotations: parseLabelSelector(selector.annotationSelector ?? ''),
    };
    parsedSelectors.set(selector, parsed);
  }
  if (parsed.labels.length === 0 && parsed.annotations.length === 0) return true;
  return (
    matchesRequirements(parsed.annotations, readStringMap(node, 'annotations')) &&
    matchesRequirements(parsed.labels, readStringMap(node, 'labels'))
  );
}

function isTargeted(
  resource: ResourceRef,
  target: ReplacementTarget,
  options: ReplacementOptions,
): boolean {
  const select = target.select ?? {};
  if (!matchesLabels(resource.node, select)) return false;
  for (const reject of target.reject ?? []) {
    if (!reject.labelSelector && !reject.annotationSelector) continue;
    if (matchesLabels(resource.node, reject)) return false;
  }
  const ids = resourceIds(resource);
  const rejected = (target.reject ?? []).some((reject) => {
    const hasId = reject.group || reject.version || reject.kind || reject.name || reject.namespace;
    return hasId && ids.some((id) => isSelectedBy(id, reject, options));
  });
  return !rejected && ids.some((id) => isSelectedBy(id, select, options));
}

function createKind(value: Node): CreateKind {
  if (isMap(value)) return 'map';
  if (isSeq(value)) return 'seq';
  return 'scalar';
}

function copyToTarget(resource: ResourceRef, target: ReplacementTarget, value: Node): void {
  const create = target.options?.create === true ? createKind(value) : undefined;
  for (const fieldPath of target.fieldPaths?.length ? target.fieldPaths : [defaultFieldPath]) {
    const matches = matchPath(resource.node, splitFieldPath(fieldPath), create, () => {
      throw new ReplacementError(`${fieldPath}: cannot replace a whole resource`);
    });
    if (matches.length === 0) {
      const what = create ? 'find or create' : 'find';
      throw new ReplacementError(`unable to ${what} field "${fieldPath}" in replacement target`);
    }
    for (const match of matches) setFieldValue(target, match, value);
  }
}

/**
 * Applies kustomize replacements in order, as kustomize v5.5's replacement filter: each
 * copies one source field (optionally one `delimiter`-separated part of it) into the
 * selected targets' field paths (`*` for every element, `[key=regex]` for matching
 * elements, `options.create` to add missing fields). Source and target selection use exact
 * group/version/kind/name and effective namespaces over the current and previous ids.
 *
 * Resource nodes are modified in place.
 *
 * @throws ReplacementError naming the field path or selector that failed.
 */
export function applyReplacements(
  resources: readonly ResourceRef[],
  replacements: readonly Replacement[],
  options: ReplacementOptions = {},
): void {
  for (const replacement of replacements) {
    if (replacement.source === undefined || replacement.targets === undefined) {
      throw new ReplacementError('replacements must specify a source and at least one target');
    }
    const value = sourceValue(resources, replacement, options);
    for (const target of replacement.targets) {
      if (target.select === undefined)
        throw new ReplacementError('target must specify resources to select');
      for (const resource of resources) {
        if (isTargeted(resource, target, options)) copyToTarget(resource, target, value);
      }
    }
  }
}
