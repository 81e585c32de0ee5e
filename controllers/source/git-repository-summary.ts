import {
  type Condition,
  type ConditionContext,
  ConditionType,
  findCondition,
  markStalled,
  Reason,
  removeCondition,
  setCondition,
} from '../../api/index.ts';
import type { SourceFailure } from './git-repository-failure.ts';

/** How a run ended: a stored or up-to-date artifact, Flux's no-op, or a failed step. */
export type RunOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'noop' }
  | { readonly kind: 'failure'; readonly failure: SourceFailure };

/**
 * The conditions Ready summarizes, in Flux's priority order, each with the status that makes it
 * abnormal (negative-polarity conditions are abnormal when True).
 */
const summarized: readonly (readonly [string, 'True' | 'False'])[] = [
  [ConditionType.StorageOperationFailed, 'True'],
  [ConditionType.FetchFailed, 'True'],
  [ConditionType.IncludeUnavailable, 'True'],
  [ConditionType.ArtifactOutdated, 'True'],
  [ConditionType.ArtifactInStorage, 'False'],
  [ConditionType.SourceVerified, 'False'],
  [ConditionType.Stalled, 'True'],
  [ConditionType.Reconciling, 'True'],
];

const positive: readonly string[] = [ConditionType.ArtifactInStorage, ConditionType.SourceVerified];

export interface Summary {
  readonly conditions: Condition[];
  /** Whether status.observedGeneration moves to the current generation. */
  readonly observed: boolean;
  readonly isReady: boolean;
}

/**
 * Flux's end-of-run summary (`ComputeReconcileResult` then `SetSummary`): Reconciling goes on
 * success and becomes ProgressingWithRetry otherwise; a stalling failure sets Stalled; Ready
 * takes the first abnormal condition in priority order, else the first positive one; a failed
 * SourceVerified always decides Ready, as Flux's bipolarity rule does.
 */
export function summarizeConditions(
  start: readonly Condition[],
  outcome: RunOutcome,
  context: ConditionContext,
): Summary {
  let conditions = [...start];
  const succeeded = outcome.kind !== 'failure';
  if (succeeded) conditions = removeCondition(conditions, ConditionType.Reconciling);
  const reconciling = findCondition(conditions, ConditionType.Reconciling);
  if (reconciling) {
    conditions = setCondition(
      conditions,
      { ...reconciling, reason: Reason.ProgressingWithRetry },
      context,
    );
  }
  const stalling = outcome.kind === 'failure' && outcome.failure.kind === 'stalling';
  if (stalling) {
    conditions = markStalled(conditions, outcome.failure.reason, outcome.failure.message, context);
  } else {
    conditions = removeCondition(conditions, ConditionType.Stalled);
  }
  conditions = setCondition(conditions, readyFrom(conditions), context);
  const verified = findCondition(conditions, ConditionType.SourceVerified);
  if (verified?.status === 'False') {
    conditions = setCondition(
      conditions,
      {
        type: ConditionType.Ready,
        status: 'False',
        reason: verified.reason,
        message: verified.message,
      },
      context,
    );
  }
  const isReady = findCondition(conditions, ConditionType.Ready)?.status === 'True';
  return { conditions, observed: succeeded || stalling, isReady };
}

function readyFrom(conditions: readonly Condition[]) {
  for (const [type, abnormal] of summarized) {
    const condition = findCondition(conditions, type);
    if (condition?.status === abnormal) {
      return {
        type: ConditionType.Ready,
        status: 'False' as const,
        reason: condition.reason,
        message: condition.message,
      };
    }
  }
  for (const type of positive) {
    const condition = findCondition(conditions, type);
    if (condition?.status === 'True') {
      return {
        type: ConditionType.Ready,
        status: 'True' as const,
        reason: condition.reason,
        message: condition.message,
      };
    }
  }
  return {
    type: ConditionType.Ready,
    status: 'Unknown' as const,
    reason: Reason.Progressing,
    message: 'reconciliation in progress',
  };
}
