import { isClusterScoped } from './cluster-scope.ts';

/** Group, version and kind of a resource (kustomize's `resid.Gvk`). */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** A resource's identity (kustomize's `resid.ResId`). */
export interface ResourceId extends Gvk {
  name: string;
  namespace: string;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash >= 0
    ? { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
    : { group: '', version: apiVersion };
}

export function apiVersionOf(gvk: Gvk): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}

export function isGvkClusterScoped(gvk: Gvk): boolean {
  return isClusterScoped(apiVersionOf(gvk), gvk.kind);
}

/** The namespace used to compare ids: `default` when unset, a marker when cluster-scoped. */
export function effectiveNamespace(id: ResourceId): string {
  if (isGvkClusterScoped(id)) return '_non_namespaceable_';
  return id.namespace === '' ? 'default' : id.namespace;
}

/** A filter like a field spec's `group|version|kind`: empty parts match anything. */
export function isGvkSelected(gvk: Gvk, selector: Partial<Gvk>): boolean {
  if (selector.group && gvk.group !== selector.group) return false;
  if (selector.version && gvk.version !== selector.version) return false;
  if (selector.kind && gvk.kind !== selector.kind) return false;
  return true;
}

export function parseGvkFilter(filter: string): Gvk {
  const [group = '', version = '', kind = ''] = filter.split('|');
  return { group, version, kind };
}

export function isSameGvk(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** A string equal for two ids exactly when `isSameId` holds. */
export function idKey(id: ResourceId): string {
  return `${id.group}|${id.version}|${id.kind}|${id.name}|${effectiveNamespace(id)}`;
}

/** kustomize's id equality: same gvk and name, same effective namespace. */
export function isSameId(a: ResourceId, b: ResourceId): boolean {
  return isSameGvk(a, b) && a.name === b.name && effectiveNamespace(a) === effectiveNamespace(b);
}

/** kustomize's `Gvk.String()`: `Kind.version.group` with markers for empty parts. */
export function gvkString(gvk: Gvk): string {
  return [gvk.kind || '[noKind]', gvk.version || '[noVer]', gvk.group || '[noGrp]'].join('.');
}

/** kustomize's `ResId.String()`, used in its error messages. */
export function idString(id: ResourceId): string {
  return `${gvkString(id)}/${id.name || '[noName]'}.${id.namespace || '[noNs]'}`;
}
