import { formatInventoryId, InventoryIdError, parseInventoryId } from '../../api/index.ts';
import { ApplyError } from './apply-error.ts';
import { type KubeObject, parseApiVersion } from './kube-object.ts';

/** The identity of an object across versions, as cli-utils' `ObjMetadata`. */
export interface ObjMetadata {
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
}

export function objMetadataOf(object: KubeObject): ObjMetadata {
  return {
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    group: parseApiVersion(object.apiVersion).group,
    kind: object.kind,
  };
}

/** The inventory id, `<namespace>_<name>_<group>_<kind>`, as Flux stores it (see api/). */
export function formatObjMetadata(meta: ObjMetadata): string {
  return formatInventoryId(meta);
}

/** Parses an inventory id with api/'s parser, as an ApplyError the apply engine reports. */
export function parseObjMetadata(id: string): ObjMetadata {
  try {
    return parseInventoryId(id);
  } catch (error) {
    if (!(error instanceof InventoryIdError)) throw error;
    throw new ApplyError('InventoryInvalid', error.message);
  }
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
