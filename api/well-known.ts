/** Annotation, label and finalizer names shared with Flux, so fleets move over unchanged. */

/** Setting this annotation to a new value asks for an immediate reconcile. */
export const reconcileRequestAnnotation = 'reconcile.fluxcd.io/requestedAt';

/** Both controllers' finalizer. */
export const fluxFinalizer = 'finalizers.fluxcd.io';

/** Labels the kustomize controller puts on every object it applies. */
export const kustomizationNameLabel = 'kustomize.toolkit.fluxcd.io/name';
export const kustomizationNamespaceLabel = 'kustomize.toolkit.fluxcd.io/namespace';

/** Per-object annotations read by the kustomize controller, and their values. */
export const KustomizeAnnotation = {
  /** `disabled`: never prune the object. */
  prune: 'kustomize.toolkit.fluxcd.io/prune',
  /** `disabled`: leave the object alone after it exists. */
  reconcile: 'kustomize.toolkit.fluxcd.io/reconcile',
  /** `Merge`, `IfNotPresent` or `Ignore`: how server-side apply treats the object. */
  ssa: 'kustomize.toolkit.fluxcd.io/ssa',
  /** `enabled`: recreate the object when an immutable field changed. */
  force: 'kustomize.toolkit.fluxcd.io/force',
  /** `disabled`: skip postBuild substitution for the object. */
  substitute: 'kustomize.toolkit.fluxcd.io/substitute',
  /** `disabled`: skip SOPS decryption for the object. */
  decrypt: 'kustomize.toolkit.fluxcd.io/decrypt',
} as const;

export const AnnotationValue = {
  enabled: 'enabled',
  disabled: 'disabled',
  merge: 'Merge',
  ifNotPresent: 'IfNotPresent',
  ignore: 'Ignore',
} as const;

/** Field manager name of server-side apply, as Flux's kustomize-controller uses it. */
export const kustomizeFieldManager = 'kustomize-controller';
