// Public API of the api/ module: Flux-compatible types, defaults, validation and helpers.

export type {
  ConditionContext,
  ConditionUpdate,
  KustomizationFailureReason,
} from './conditions.ts';
export {
  ConditionType,
  findCondition,
  formatConditionTime,
  isConditionTrue,
  isReadyForGeneration,
  markReconciling,
  markStalled,
  maxConditionMessageLength,
  Reason,
  removeCondition,
  setCondition,
  trimConditionMessage,
} from './conditions.ts';
export type { CrdDefinition, PrinterColumn } from './crd.ts';
export { buildCrd } from './crd.ts';
export type { CrdFile } from './crd-files.ts';
export { generateCrdsCommand, renderCrdFiles } from './crd-files.ts';
export {
  applyGitRepositoryDefaults,
  applyKustomizationDefaults,
  deletesObjectsOnDeletion,
  gitRepositoryIntervalMs,
  gitRepositoryTimeoutMs,
  gitVerificationMode,
  kustomizationDeletionPolicy,
  kustomizationIntervalMs,
  kustomizationRetryIntervalMs,
  kustomizationTimeoutMs,
  sourceNamespace,
  substituteStrategy,
} from './defaults.ts';
export { DurationError, formatDuration, parseDuration } from './duration.ts';
export type { GitCheckout } from './git-reference.ts';
export { defaultBranch, resolveGitCheckout } from './git-reference.ts';
export type {
  DefaultedGitRepository,
  GitProvider,
  GitRepository,
  GitRepositoryInclude,
  GitRepositoryRef,
  GitRepositorySpec,
  GitRepositoryStatus,
  GitRepositoryVerification,
  GitVerificationMode,
} from './git-repository.ts';
export {
  GitRepositoryApi,
  gitProviders,
  gitRepositoryCrd,
  gitRepositorySchema,
  gitVerificationModes,
} from './git-repository.ts';
export type { ObjectIdentity } from './inventory-id.ts';
export {
  formatInventoryId,
  InventoryIdError,
  inventoryEntryFor,
  parseInventoryId,
  splitApiVersion,
} from './inventory-id.ts';
export type {
  DefaultedKustomization,
  Kustomization,
  KustomizationSpec,
  KustomizationStatus,
  ResourceInventory,
  ResourceRef,
} from './kustomization.ts';
export { KustomizationApi, kustomizationCrd, kustomizationSchema } from './kustomization.ts';
export type {
  CrossNamespaceSourceReference,
  CustomHealthCheck,
  Decryption,
  DeletionPolicy,
  DependencyReference,
  IgnoreRule,
  Image,
  KubeConfigReference,
  NamespacedObjectKindReference,
  Patch,
  PostBuild,
  Selector,
  SourceKind,
  SubstituteReference,
  SubstituteStrategy,
} from './kustomization-parts.ts';
export { deletionPolicies, sourceKinds, substituteStrategies } from './kustomization-parts.ts';
export type {
  Artifact,
  Condition,
  ConditionStatus,
  LocalObjectReference,
  ObjectMeta,
  SecretKeyReference,
} from './meta.ts';
export type { ParsedRevision } from './revision.ts';
export {
  branchRevision,
  commitDigest,
  formatRevision,
  hashAlgorithm,
  parseRevision,
  revisionHash,
  tagRevision,
} from './revision.ts';
export type { ValidateOptions, ValidationIssue, ValidationResult } from './schema/index.ts';
export { formatIssues } from './schema/index.ts';
export type { ResolvedSourceRef, SourceRefResolution } from './source-ref.ts';
export { resolveSourceRef, supportedSourceKinds } from './source-ref.ts';
export { validateGitRepository, validateKustomization } from './validation.ts';
export {
  AnnotationValue,
  fluxFinalizer,
  KustomizeAnnotation,
  kustomizationNameLabel,
  kustomizationNamespaceLabel,
  kustomizeFieldManager,
  reconcileRequestAnnotation,
} from './well-known.ts';
