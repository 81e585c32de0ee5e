import type { KubeObject } from './kube-object.ts';

/** The label and annotation group of Flux's kustomize-controller. */
export const kustomizeGroup = 'kustomize.toolkit.fluxcd.io';
export const defaultFieldManager = 'kustomize-controller';

export const ownerNameLabel = `${kustomizeGroup}/name`;
export const ownerNamespaceLabel = `${kustomizeGroup}/namespace`;

/** The Kustomization whose objects these are. */
export interface Owner {
  readonly name: string;
  readonly namespace: string;
}

export function ownerLabels(owner: Owner): Record<string, string> {
  return { [ownerNameLabel]: owner.name, [ownerNamespaceLabel]: owner.namespace };
}

/** Sets the owner labels that prune later requires before it deletes anything. */
export function setOwnerLabels(object: KubeObject, owner: Owner): void {
  object.metadata.labels = { ...object.metadata.labels, ...ownerLabels(owner) };
}

/** Objects that apply leaves alone: `reconcile: disabled` or `ssa: Ignore`. */
export const applyExclusions = {
  [`${kustomizeGroup}/reconcile`]: 'disabled',
  [`${kustomizeGroup}/ssa`]: 'Ignore',
} as const;
/** Objects applied only when absent: `ssa: IfNotPresent`. */
export const ifNotPresentSelector = { [`${kustomizeGroup}/ssa`]: 'IfNotPresent' } as const;
/** Objects always recreated on immutable changes, even without `force`: `force: enabled`. */
export const forceSelector = { [`${kustomizeGroup}/force`]: 'enabled' } as const;
/** Objects prune leaves alone: `prune: disabled`, `reconcile: disabled`, `ssa: Ignore`. */
export const pruneExclusions = {
  [`${kustomizeGroup}/prune`]: 'disabled',
  [`${kustomizeGroup}/reconcile`]: 'disabled',
  [`${kustomizeGroup}/ssa`]: 'Ignore',
} as const;

/** Flux's `AnyInMetadata`: any key=value of `selector` among the labels or annotations. */
export function anyInMetadata(
  object: KubeObject | undefined,
  selector: Readonly<Record<string, string>>,
): boolean {
  if (!object) return false;
  const { labels = {}, annotations = {} } = object.metadata;
  return Object.entries(selector).some(
    ([key, value]) => labels[key] === value || annotations[key] === value,
  );
}

/** Whether every owner label is present with the owner's value. */
export function hasOwnerLabels(object: KubeObject, owner: Owner): boolean {
  const labels = object.metadata.labels ?? {};
  return Object.entries(ownerLabels(owner)).every(([key, value]) => labels[key] === value);
}
