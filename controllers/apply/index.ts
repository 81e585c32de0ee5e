export { ApplyError, type ApplyErrorCode, isApplyError } from './apply-error.ts';
export {
  type ApplyStage,
  type ApplyStageName,
  compareObjMetadata,
  isClassDefinition,
  isClusterDefinition,
  reconcileOrderFirst,
  reconcileOrderLast,
  sortObjects,
  splitStages,
} from './apply-order.ts';
export {
  CelHealthError,
  type CelStatusReader,
  compileHealthChecks,
  type HealthCheckExpressions,
} from './cel-health.ts';
export {
  type ChangeAction,
  type ChangeSetEntry,
  entryId,
  entryReference,
  formatChangeSet,
  groupChangeSet,
  hasChanged,
} from './change-set.ts';
export { KubeClientFactory, serviceAccountUser } from './client-factory.ts';
export { hasDrifted } from './drift.ts';
export {
  DynamicClient,
  type ObjectReference,
  type PropagationPolicy,
  referenceOf,
} from './dynamic-client.ts';
export {
  defaultFieldManager,
  kustomizeGroup,
  type Owner,
  ownerLabels,
  ownerNameLabel,
  ownerNamespaceLabel,
} from './flux-metadata.ts';
export {
  type ObjectHealth,
  type WaitOptions,
  type WaitResult,
  waitForSet,
  waitForSetOrThrow,
} from './health-wait.ts';
export {
  diffInventory,
  type InventoryEntry,
  type InventoryObject,
  inventoryFromChangeSet,
  listInventory,
} from './inventory.ts';
export { computeStatus, type KStatus, type KStatusResult } from './kstatus.ts';
export { type KubeObject, toKubeObject } from './kube-object.ts';
export {
  createKubeTransport,
  isKubeStatusError,
  type KubeHttpRequest,
  KubeStatusError,
  type KubeTransport,
  type RequestObserver,
} from './kube-transport.ts';
export { normalizeForApply } from './normalize.ts';
export {
  formatObjMetadata,
  formatSubject,
  type ObjMetadata,
  objMetadataOf,
  parseObjMetadata,
} from './object-metadata.ts';
export { type DeleteOptions, deleteObjects, pruneStale, waitForTermination } from './prune.ts';
export { type CountedRequest, RequestCounter } from './request-counter.ts';
export { RestMapper } from './rest-mapper.ts';
export { type ApplyOptions, applyStaged } from './staged-apply.ts';
