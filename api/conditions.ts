import type { Condition, ConditionStatus } from './meta.ts';

/** Condition types used by Flux's source and kustomize controllers. */
export const ConditionType = {
  Ready: 'Ready',
  /** Abnormal-true: present only while True. */
  Reconciling: 'Reconciling',
  /** Abnormal-true: present only while True. */
  Stalled: 'Stalled',
  Healthy: 'Healthy',
  ArtifactInStorage: 'ArtifactInStorage',
  /** Abnormal-true. */
  ArtifactOutdated: 'ArtifactOutdated',
  SourceVerified: 'SourceVerified',
  /** Abnormal-true. */
  FetchFailed: 'FetchFailed',
  /** Abnormal-true. */
  BuildFailed: 'BuildFailed',
  /** Abnormal-true. */
  StorageOperationFailed: 'StorageOperationFailed',
  /** Abnormal-true. */
  IncludeUnavailable: 'IncludeUnavailable',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Condition and event reasons, with Flux's spelling. */
export const Reason = {
  // Generic reasons (Flux's meta package).
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Progressing: 'Progressing',
  ProgressingWithRetry: 'ProgressingWithRetry',
  Suspended: 'Suspended',
  DependencyNotReady: 'DependencyNotReady',
  InvalidPath: 'InvalidPath',
  InvalidURL: 'InvalidURL',
  ArtifactFailed: 'ArtifactFailed',
  BuildFailed: 'BuildFailed',
  HealthCheckFailed: 'HealthCheckFailed',
  HealthCheckCanceled: 'HealthCheckCanceled',
  InvalidCELExpression: 'InvalidCELExpression',
  PruneFailed: 'PruneFailed',
  ReconciliationSucceeded: 'ReconciliationSucceeded',
  ReconciliationFailed: 'ReconciliationFailed',
  AccessDenied: 'AccessDenied',
  // Flux reports decryption errors as BuildFailed; kustodian names them on their own so that
  // a wrong key is told apart from a broken kustomization.
  DecryptionFailed: 'DecryptionFailed',
  // source-controller reasons.
  URLInvalid: 'URLInvalid',
  AuthenticationFailed: 'AuthenticationFailed',
  VerificationError: 'VerificationError',
  DirectoryCreationFailed: 'DirectoryCreationFailed',
  StatOperationFailed: 'StatOperationFailed',
  ReadOperationFailed: 'ReadOperationFailed',
  AcquireLockFailed: 'AcquireLockFailed',
  ArchiveOperationFailed: 'ArchiveOperationFailed',
  SymlinkUpdateFailed: 'SymlinkUpdateFailed',
  ArtifactUpToDate: 'ArtifactUpToDate',
  NewArtifact: 'NewArtifact',
  PatchOperationFailed: 'PatchOperationFailed',
  GitOperationSucceeded: 'GitOperationSucceeded',
  GitOperationFailed: 'GitOperationFailed',
  InvalidProviderConfiguration: 'InvalidProviderConfiguration',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Why a Kustomization run failed: the closed set a reconcile step may throw. */
export type KustomizationFailureReason =
  | typeof Reason.ArtifactFailed
  | typeof Reason.BuildFailed
  | typeof Reason.DecryptionFailed
  | typeof Reason.ReconciliationFailed
  | typeof Reason.HealthCheckFailed
  | typeof Reason.DependencyNotReady
  | typeof Reason.PruneFailed;

/** The condition a caller wants, before time and generation are stamped on it. */
export interface ConditionUpdate {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

export interface ConditionContext {
  /** The current time; the helpers never read the clock. */
  readonly now: Date;
  /** metadata.generation of the object the conditions belong to. */
  readonly observedGeneration: number;
}

/** The longest message the Condition schema accepts. */
export const maxConditionMessageLength = 32768;
const trimmedSuffix = '...';

// Stalled, Reconciling and Ready lead, as Flux orders them for kubectl; the rest follow by
// newest generation, then by type.
const leadingTypes: readonly string[] = [
  ConditionType.Stalled,
  ConditionType.Reconciling,
  ConditionType.Ready,
];

function compareConditions(a: Condition, b: Condition): number {
  const wa = leadingTypes.indexOf(a.type);
  const wb = leadingTypes.indexOf(b.type);
  if (wa !== -1 && wb !== -1) return wa - wb;
  if (wa !== -1) return -1;
  if (wb !== -1) return 1;
  const ga = a.observedGeneration ?? 0;
  const gb = b.observedGeneration ?? 0;
  if (ga !== gb) return gb - ga;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/** Trims a message to what the apiserver accepts, counting characters as it does. */
export function trimConditionMessage(message: string): string {
  const chars = [...message];
  if (chars.length <= maxConditionMessageLength) return message;
  return chars.slice(0, maxConditionMessageLength - trimmedSuffix.length).join('') + trimmedSuffix;
}

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function formatConditionTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * Returns the conditions with `update` set. As Flux's `conditions.Set`: observedGeneration is
 * stamped every time; lastTransitionTime is kept unless status, reason or message changed;
 * the list is kept in Flux's order. The input list is not changed.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  context: ConditionContext,
): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === update.type);
  const message = trimConditionMessage(update.message);
  const unchanged =
    existing !== undefined &&
    existing.status === update.status &&
    existing.reason === update.reason &&
    existing.message === message;
  const next: Condition = {
    type: update.type,
    status: update.status,
    observedGeneration: context.observedGeneration,
    lastTransitionTime: unchanged ? existing.lastTransitionTime : formatConditionTime(context.now),
    reason: update.reason,
    message,
  };
  return [...list.filter((c) => c.type !== update.type), next].sort(compareConditions);
}

/** Returns the conditions without the given type. */
export function removeCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(
  conditions: readonly Condition[] | undefined,
  type: string,
): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Reconciling=True with the reason, and Stalled removed: the start of a run. */
export function markReconciling(
  conditions: readonly Condition[] | undefined,
  reason: string,
  message: string,
  context: ConditionContext,
): Condition[] {
  const withoutStalled = removeCondition(conditions, ConditionType.Stalled);
  return setCondition(
    withoutStalled,
    { type: ConditionType.Reconciling, status: 'True', reason, message },
    context,
  );
}

/** Stalled=True with the reason, and Reconciling removed: a failure retrying cannot fix. */
export function markStalled(
  conditions: readonly Condition[] | undefined,
  reason: string,
  message: string,
  context: ConditionContext,
): Condition[] {
  const withoutReconciling = removeCondition(conditions, ConditionType.Reconciling);
  return setCondition(
    withoutReconciling,
    { type: ConditionType.Stalled, status: 'True', reason, message },
    context,
  );
}

/**
 * Whether the object's Ready condition speaks for its current spec: Ready is True and was
 * computed from the current generation. What `dependsOn` waits for.
 */
export function isReadyForGeneration(object: {
  readonly metadata: { readonly generation?: number };
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly observedGeneration?: number;
  };
}): boolean {
  const ready = findCondition(object.status?.conditions, ConditionType.Ready);
  const generation = object.metadata.generation;
  return (
    ready?.status === 'True' &&
    (generation === undefined || object.status?.observedGeneration === generation)
  );
}
