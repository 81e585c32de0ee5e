import { currentId, type Resource } from '../resource/resource.ts';
import { type Gvk, gvkString, isSameGvk } from '../resource/resource-id.ts';

// Facts from kustomize v5.5.0 (SortOrderTransformer): the kinds the legacy order puts first and last.
const orderFirst = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const orderLast = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** The kinds put first and last (kustomize's `LegacySortOptions`). */
export interface LegacySortOptions {
  orderFirst: readonly string[];
  orderLast: readonly string[];
}

export const defaultLegacySortOptions: LegacySortOptions = { orderFirst, orderLast };

function typeOrderOf(options: LegacySortOptions): Map<string, number> {
  return new Map<string, number>([
    ...options.orderFirst.map((kind, i) => [kind, i - options.orderFirst.length] as const),
    ...options.orderLast.map((kind, i) => [kind, i + 1] as const),
  ]);
}

function legacyGvkString(gvk: Gvk): string {
  return [gvk.group || '~G', gvk.version || '~V', gvk.kind || '~K'].join('_');
}

/** Go's string order (UTF-8 bytes, i.e. code points). */
function byteCompare(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done ? (cb.done ? 0 : -1) : 1;
    const diff = (ca.value.codePointAt(0) as number) - (cb.value.codePointAt(0) as number);
    if (diff !== 0) return diff;
  }
}

function compareGvk(a: Gvk, b: Gvk, typeOrder: Map<string, number>): number {
  const ia = typeOrder.get(a.kind) ?? 0;
  const ib = typeOrder.get(b.kind) ?? 0;
  if (ia !== ib) return ia - ib;
  // kustomize's quirk: a core Namespace sorts after a grouped one.
  if (a.kind === 'Namespace' && b.kind === 'Namespace' && (a.group === '' || b.group === '')) {
    return -byteCompare(legacyGvkString(a), legacyGvkString(b));
  }
  return byteCompare(legacyGvkString(a), legacyGvkString(b));
}

/** kustomize's legacy resource order (the default of `kubectl kustomize`). */
export function sortLegacy(
  resources: readonly Resource[],
  options: LegacySortOptions = defaultLegacySortOptions,
): Resource[] {
  const typeOrder = typeOrderOf(options);
  const keyed = resources.map((resource) => {
    const id = currentId(resource);
    return { resource, id, key: `${gvkString(id)}|${id.namespace || '~X'}|${id.name || '~N'}` };
  });
  keyed.sort((a, b) => {
    if (!isSameGvk(a.id, b.id)) return compareGvk(a.id, b.id, typeOrder);
    return byteCompare(a.key, b.key);
  });
  return keyed.map((k) => k.resource);
}
