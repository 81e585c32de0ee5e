import type { KubeObject } from './kube-object.ts';
import { type ObjMetadata, objMetadataOf } from './object-metadata.ts';

/**
 * Flux's reconcile order (fluxcd/pkg ssa `ReconcileOrder`): these kinds first, in this order,
 * webhooks last, every other kind in between sorted by group then kind.
 */
export const reconcileOrderFirst = [
  'CustomResourceDefinition',
  'Namespace',
  'ClusterRole',
  'ClusterClass',
  'RuntimeClass',
  'PriorityClass',
  'StorageClass',
  'VolumeSnapshotClass',
  'IngressClass',
  'GatewayClass',
  'ClusterRoleBinding',
  'ResourceQuota',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'LimitRange',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
] as const;
export const reconcileOrderLast = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
] as const;

const kindIndex = new Map<string, number>([
  ...reconcileOrderFirst.map((kind, i): [string, number] => [kind, i - reconcileOrderFirst.length]),
  ...reconcileOrderLast.map((kind, i): [string, number] => [kind, i + 1]),
]);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Apply order of two objects; ties broken by namespace then name so output is stable. */
export function compareObjMetadata(a: ObjMetadata, b: ObjMetadata): number {
  if (a.group !== b.group || a.kind !== b.kind) {
    const byIndex = (kindIndex.get(a.kind) ?? 0) - (kindIndex.get(b.kind) ?? 0);
    if (byIndex !== 0) return byIndex;
    return compareStrings(a.group, b.group) || compareStrings(a.kind, b.kind);
  }
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
}

export function sortObjects(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => compareObjMetadata(objMetadataOf(a), objMetadataOf(b)));
}

export function sortObjMetadata(metas: readonly ObjMetadata[]): ObjMetadata[] {
  return [...metas].sort(compareObjMetadata);
}

export function isCustomResourceDefinition(object: KubeObject): boolean {
  return (
    object.kind.toLowerCase() === 'customresourcedefinition' &&
    object.apiVersion.startsWith('apiextensions.k8s.io/')
  );
}

export function isNamespace(object: KubeObject): boolean {
  return object.kind.toLowerCase() === 'namespace' && object.apiVersion === 'v1';
}

function isClusterRole(object: KubeObject): boolean {
  return (
    object.kind.toLowerCase() === 'clusterrole' &&
    object.apiVersion.startsWith('rbac.authorization.k8s.io/')
  );
}

/** CRDs, Namespaces and ClusterRoles: what later objects depend on to exist at all. */
export function isClusterDefinition(object: KubeObject): boolean {
  return isCustomResourceDefinition(object) || isNamespace(object) || isClusterRole(object);
}

/** StorageClass, IngressClass, GatewayClass...: Flux matches on the `Class` suffix. */
export function isClassDefinition(object: KubeObject): boolean {
  return object.kind.endsWith('Class');
}

export type ApplyStageName = 'definitions' | 'classes' | 'resources';

export interface ApplyStage {
  readonly name: ApplyStageName;
  readonly objects: KubeObject[];
  /** Whether the stage must be Current (CRDs Established, Namespaces Active) before the next. */
  readonly waitForReady: boolean;
}

/** Splits a set into Flux's stages; empty stages are left out. */
export function splitStages(objects: readonly KubeObject[]): ApplyStage[] {
  const definitions: KubeObject[] = [];
  const classes: KubeObject[] = [];
  const resources: KubeObject[] = [];
  for (const object of objects) {
    if (isClusterDefinition(object)) definitions.push(object);
    else if (isClassDefinition(object)) classes.push(object);
    else resources.push(object);
  }
  const stages: ApplyStage[] = [
    { name: 'definitions', objects: sortObjects(definitions), waitForReady: true },
    { name: 'classes', objects: sortObjects(classes), waitForReady: true },
    { name: 'resources', objects: sortObjects(resources), waitForReady: false },
  ];
  return stages.filter((stage) => stage.objects.length > 0);
}
