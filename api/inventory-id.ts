/**
 * Inventory ids in Flux's format, `<namespace>_<name>_<group>_<kind>`, which is the string
 * form of cli-utils' `object.ObjMetadata`. Cluster-scoped objects have an empty namespace and
 * core objects an empty group: `_my-ns__Namespace`, `default_app_apps_Deployment`.
 */

export interface ObjectIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
}

const separator = '_';
// RBAC names may hold colons (system:controller:foo), which cli-utils writes as '__'.
const colonTranscoded = '__';
const rbacKinds: ReadonlySet<string> = new Set([
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
]);
const rbacGroup = 'rbac.authorization.k8s.io';

function isRbac(group: string, kind: string): boolean {
  return group === rbacGroup && rbacKinds.has(kind);
}

export function formatInventoryId(identity: ObjectIdentity): string {
  const name = isRbac(identity.group, identity.kind)
    ? identity.name.replaceAll(':', colonTranscoded)
    : identity.name;
  return [identity.namespace, name, identity.group, identity.kind].join(separator);
}

export class InventoryIdError extends Error {
  readonly code = 'InvalidInventoryId';
}

/**
 * Parses an id as cli-utils does: namespace up to the first `_`, kind after the last, group
 * before that, and the rest is the name (with `__` read back as `:`).
 */
export function parseInventoryId(id: string): ObjectIdentity {
  const first = id.indexOf(separator);
  const last = id.lastIndexOf(separator);
  const groupEnd = last;
  const groupStart = first === -1 ? -1 : id.lastIndexOf(separator, groupEnd - 1);
  if (first === -1 || last === first || groupStart <= first) {
    throw new InventoryIdError(
      `inventory id "${id}" is not in the form <namespace>_<name>_<group>_<kind>`,
    );
  }
  return {
    namespace: id.slice(0, first),
    name: id.slice(first + 1, groupStart).replaceAll(colonTranscoded, ':'),
    group: id.slice(groupStart + 1, groupEnd),
    kind: id.slice(last + 1),
  };
}

/** Splits an apiVersion into group and version; the core group is empty. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The inventory entry for an applied object, as Flux records it in status.inventory. */
export function inventoryEntryFor(object: {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}): { id: string; v: string } {
  const { group, version } = splitApiVersion(object.apiVersion);
  const id = formatInventoryId({
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name ?? '',
    group,
    kind: object.kind,
  });
  return { id, v: version };
}
