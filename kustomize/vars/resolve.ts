import { isScalar, type YAMLMap } from 'yaml';
import { lookupField, splitFieldPath } from '../replacements/index.ts';
import { VarError, type VarValue } from './expand.ts';

/** One entry of a kustomization's legacy `vars:`. */
export interface Var {
  name: string;
  objref: {
    apiVersion?: string;
    group?: string;
    version?: string;
    kind?: string;
    name?: string;
    namespace?: string;
  };
  /** kustomize decodes JSON keys case-insensitively, so both spellings occur. */
  fieldref?: { fieldPath?: string; fieldpath?: string };
}

/** A resource id, as kustomize's `resid.ResId`. */
export interface VarResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

/** How the engine compares namespaces and knows cluster-scoped kinds. */
export interface VarScope {
  /** kustomize `EffectiveNamespace`: `default` for none, a marker for cluster-scoped kinds. */
  effectiveNamespace(id: VarResId): string;
  isClusterScoped(id: VarResId): boolean;
}

/** The field a var reads: `fieldref.fieldpath`, by default `metadata.name`. */
export function varFieldPath(v: Var): string {
  return v.fieldref?.fieldPath || v.fieldref?.fieldpath || 'metadata.name';
}

/** The id a var's `objref` names (kustomize `Target.GVK()`: apiVersion wins over group/version). */
export function varTargetId(v: Var): VarResId {
  let group = v.objref.group ?? '';
  let version = v.objref.version ?? '';
  const apiVersion = v.objref.apiVersion ?? '';
  if (apiVersion !== '') {
    const parts = apiVersion.split('/');
    if (parts.length === 2) [group = '', version = ''] = parts;
    if (parts.length === 1) version = parts[0] ?? '';
  }
  return {
    group,
    version,
    kind: v.objref.kind ?? '',
    name: v.objref.name ?? '',
    namespace: v.objref.namespace ?? '',
  };
}

/** kustomize's `%v` of a var, as its errors print it. */
export function describeVar(v: Var): string {
  const id = varTargetId(v);
  const gvk = [id.kind || '[noKind]', id.version || '[noVer]', id.group || '[noGrp]'].join('.');
  return `{${v.name} ${gvk} {${varFieldPath(v)}}}`;
}

function isGvknEqual(a: VarResId, b: VarResId): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind && a.name === b.name;
}

/**
 * Which resource a var refers to, as kustomize's `MergeVars`: the one having any id (current
 * or earlier) with exactly the objref's group, version, kind and name, and its namespace
 * when the objref gives one (or the kind is cluster-scoped). Undefined when none does.
 *
 * @param candidates each resource's ids, current and previous.
 * @throws VarError when more than one resource matches.
 */
export function findVarResource(
  v: Var,
  candidates: readonly (readonly VarResId[])[],
  scope: VarScope,
): number | undefined {
  const target = varTargetId(v);
  const withNamespace = target.namespace !== '' || scope.isClusterScoped(target);
  const matches = (id: VarResId) =>
    isGvknEqual(target, id) &&
    (!withNamespace || scope.effectiveNamespace(target) === scope.effectiveNamespace(id));
  const found = candidates.flatMap((ids, index) => (ids.some(matches) ? [index] : []));
  if (found.length > 1) {
    throw new VarError(
      `found ${found.length} resId matches for var ${describeVar(v)} (unable to disambiguate)`,
    );
  }
  return found[0];
}

/** kyaml `convertSliceIndex`: `ports[0]` becomes `ports`, `0`. */
function convertSliceIndex(parts: readonly string[]): string[] {
  return parts.flatMap((part) => {
    const match = /^(.*)\[(\d+)\]$/.exec(part);
    if (!match) return [part];
    return match[1] ? [match[1], match[2] ?? ''] : [match[2] ?? ''];
  });
}

/**
 * A var's value read from its resource (kyaml `GetFieldValue`): strings, integers, floats
 * and booleans keep their type; other scalars give their text. Undefined for a map or list,
 * which kustomize never substitutes.
 *
 * @throws VarError when the field is missing.
 */
export function readVarValue(v: Var, resource: YAMLMap<unknown, unknown>): VarValue | undefined {
  const path = convertSliceIndex(splitFieldPath(varFieldPath(v)));
  const node = lookupField(resource, path);
  if (node === undefined) {
    throw new VarError(
      `field specified in var '${describeVar(v)}' not found in corresponding resource`,
    );
  }
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') {
    const text = node.source ?? String(value);
    if (/^[-+]?\d+$/.test(text)) return { type: 'int', value };
    if (Number.isInteger(value) && !/[.eE]/.test(text)) {
      // Go's Atoi refuses 0x/0o forms that YAML reads as integers.
      throw new VarError(
        `field specified in var '${describeVar(v)}' not found in corresponding resource`,
      );
    }
    return { type: 'float', value };
  }
  if (typeof value === 'bigint') return { type: 'int', value: Number(value) };
  return { type: 'string', value: node.source ?? '' };
}
