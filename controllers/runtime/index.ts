export {
  Controller,
  type ControllerOptions,
  type ReconcileFunction,
  type ReconcileRequest,
  type SecondaryWatch,
} from './controller.ts';
export {
  type ControllerContext,
  type ControllerRegistration,
  ControllerRegistry,
  type ControllerSettings,
  controllerDefaults,
  createControllerContext,
} from './controller-registry.ts';
export { REQUESTED_AT_ANNOTATION, reconcileTrigger, requestedAt } from './event-filter.ts';
export {
  apiserverEventSink,
  EventRecorder,
  type EventRecorderOptions,
  type EventSink,
  type EventType,
} from './event-recorder.ts';
export {
  type HealthChecks,
  type HttpEndpoint,
  healthHandler,
  metricsHandler,
  parseListenAddress,
  startHttpEndpoint,
} from './http-endpoints.ts';
export {
  inClusterConfig,
  type KubeConfigData,
  KubeConfigError,
  loadKubeConfig,
  parseKubeConfig,
} from './kube-config.ts';
export {
  type KubeAccess,
  KubeConnection,
  type KubeHttpCall,
  type KubeHttpResponse,
  kubeConnection,
} from './kube-connection.ts';
export {
  ContentType,
  isKubeApiError,
  KubeApiError,
  type KubeRequest,
  kubeRequest,
} from './kube-request.ts';
export { type LeaderElectionOptions, LeaderElector } from './leader-election.ts';
export { createLogger, type LoggerOptions, objectLogger, REDACTED_PATHS } from './logger.ts';
export {
  defaultIdentity,
  type LeaderElectionConfig,
  Manager,
  type ManagerOptions,
  type RunnableController,
} from './manager.ts';
export { RuntimeMetrics } from './metrics.ts';
export { ConflictError, type ConflictRetryOptions, ObjectClient } from './object-client.ts';
export {
  apiVersionOf,
  collectionPath,
  keyOfObject,
  type ObjectKey,
  objectKey,
  objectPath,
  parseObjectKey,
  type ResourceType,
} from './resource.ts';
export { ResourceWatch, type ResourceWatchOptions, type WatchHandler } from './resource-watch.ts';
export { defaultHeapGrowingPercent, tuneV8ForController } from './v8-settings.ts';
export {
  type ProcessResult,
  type QueueObserver,
  type ShutdownResult,
  WorkQueue,
  type WorkQueueOptions,
} from './work-queue.ts';
