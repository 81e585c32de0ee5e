import { ApplyError } from './apply-error.ts';
import { type KubeObject, parseApiVersion } from './kube-object.ts';

/** The identity of an object across versions, as cli-utils' `ObjMetadata`. */
export interface ObjMetadata {
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
}

const fieldSeparator = '_';
// RBAC names may hold colons (system:auth-delegator); cli-utils stores them as "__".
const colonTranscoded = '__';
const rbacGroup = 'rbac.authorization.k8s.io';
const rbacKinds = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function isRbac(meta: ObjMetadata): boolean {
  return meta.group === rbacGroup && rbacKinds.has(meta.kind);
}

export function objMetadataOf(object: KubeObject): ObjMetadata {
  return {
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    group: parseApiVersion(object.apiVersion).group,
    kind: object.kind,
  };
}

/** The inventory id, `<namespace>_<name>_<group>_<kind>`, as Flux stores it. */
export function formatObjMetadata(meta: ObjMetadata): string {
  const name = isRbac(meta) ? meta.name.replaceAll(':', colonTranscoded) : meta.name;
  return [meta.namespace, name, meta.group, meta.kind].join(fieldSeparator);
}

/**
 * Parses an inventory id. Namespace is up to the first `_`, kind after the last, group before
 * it; the rest is the name (names cannot hold `_`, but they may hold `__` for a colon).
 */
export function parseObjMetadata(id: string): ObjMetadata {
  const first = id.indexOf(fieldSeparator);
  const last = id.lastIndexOf(fieldSeparator);
  const groupEnd = last < 0 ? -1 : id.lastIndexOf(fieldSeparator, last - 1);
  if (first < 0 || last <= first || groupEnd < first) {
    throw new ApplyError(
      'InventoryInvalid',
      `inventory id "${id}" is not <namespace>_<name>_<group>_<kind>`,
    );
  }
  return {
    namespace: id.slice(0, first),
    name: id.slice(first + 1, groupEnd).replaceAll(colonTranscoded, ':'),
    group: id.slice(groupEnd + 1, last),
    kind: id.slice(last + 1),
  };
}

/** Flux's change-set subject: `Kind/namespace/name`, or `Kind/name` for cluster objects. */
export function formatSubject(meta: ObjMetadata): string {
  return meta.namespace === ''
    ? `${meta.kind}/${meta.name}`
    : `${meta.kind}/${meta.namespace}/${meta.name}`;
}

export function sameObjMetadata(a: ObjMetadata, b: ObjMetadata): boolean {
  return (
    a.namespace === b.namespace && a.name === b.name && a.group === b.group && a.kind === b.kind
  );
}
