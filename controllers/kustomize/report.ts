import {
  type Condition,
  type ConditionContext,
  ConditionType,
  findCondition,
  type Kustomization,
  kustomizationIntervalMs,
  kustomizationRetryIntervalMs,
  markStalled,
  Reason,
  removeCondition,
  setCondition,
} from '../../api/index.ts';
import type { EventType } from '../runtime/index.ts';
import type { HealthResult } from './health-step.ts';
import { messageOf } from './source-step.ts';
import { isStepError, StepError } from './step-error.ts';
import { conditionReasonOf, StepWait } from './step-outcome.ts';

/** Annotation Flux puts on a Kustomization's events: the revision they are about. */
export const revisionEventAnnotation = 'kustomize.toolkit.fluxcd.io/revision';

/**
 * Conditions after a successful run, as Flux's reconcile end and finalizeStatus leave them:
 * Ready=True "Applied revision: …", Healthy=True when health was assessed (kept as it was when
 * nothing new happened, so that a no-op run writes nothing) or removed, Reconciling and
 * Stalled removed.
 */
export function readyConditions(
  conditions: readonly Condition[],
  options: {
    revision: string;
    health: HealthResult;
    isNewRun: boolean;
    context: ConditionContext;
  },
): Condition[] {
  const { context } = options;
  let next = setCondition(
    conditions,
    {
      type: ConditionType.Ready,
      status: 'True',
      reason: Reason.ReconciliationSucceeded,
      message: `Applied revision: ${options.revision}`,
    },
    context,
  );
  const health = options.health;
  if (!health.checked) {
    next = removeCondition(next, ConditionType.Healthy);
  } else {
    const healthy = findCondition(next, ConditionType.Healthy);
    if (options.isNewRun || healthy?.status !== 'True') {
      next = setCondition(
        next,
        {
          type: ConditionType.Healthy,
          status: 'True',
          reason: Reason.Succeeded,
          message: health.message,
        },
        context,
      );
    }
  }
  return removeCondition(removeCondition(next, ConditionType.Reconciling), ConditionType.Stalled);
}

/**
 * Conditions after a failed step: Ready=False with the step's reason and message; Healthy=False
 * too for a failed health check; Stalled for what a retry cannot fix; otherwise a Reconciling
 * condition left by the run turns ProgressingWithRetry, as Flux's finalizeStatus does.
 */
export function failedConditions(
  conditions: readonly Condition[],
  error: StepError,
  context: ConditionContext,
): Condition[] {
  const reason = conditionReasonOf(error);
  let next = setCondition(
    conditions,
    { type: ConditionType.Ready, status: 'False', reason, message: error.message },
    context,
  );
  if (error.reason === Reason.HealthCheckFailed) {
    next = setCondition(
      next,
      { type: ConditionType.Healthy, status: 'False', reason, message: error.message },
      context,
    );
  }
  if (!error.retryable) return markStalled(next, reason, error.message, context);
  const reconciling = findCondition(next, ConditionType.Reconciling);
  if (reconciling && reconciling.reason !== Reason.ProgressingWithRetry) {
    next = setCondition(
      next,
      {
        type: ConditionType.Reconciling,
        status: 'True',
        reason: Reason.ProgressingWithRetry,
        message: reconciling.message,
      },
      context,
    );
  }
  return next;
}

export interface FailureReport {
  /** The event to record, if any. */
  readonly event: { type: EventType; message: string } | undefined;
  /** When to run again. */
  readonly requeueAfterMs: number;
}

/**
 * The event and requeue of a failed run, as Flux: a waiting step retries at its own interval
 * with at most a Normal notice; any other failure is a Warning event and a retry at
 * `retryInterval`. A stalled one (a retry cannot help) is looked at again only at `interval`:
 * a fix outside the source, such as a corrected decryption Secret, triggers no watch.
 */
export function failureReport(error: StepError, ks: Kustomization): FailureReport {
  if (error instanceof StepWait) {
    return {
      event: error.notice === undefined ? undefined : { type: 'Normal', message: error.notice },
      requeueAfterMs: error.requeueAfterMs,
    };
  }
  return {
    event: { type: 'Warning', message: error.message },
    requeueAfterMs: error.retryable
      ? kustomizationRetryIntervalMs(ks)
      : kustomizationIntervalMs(ks),
  };
}

/** A StepError for anything a step did not expect (an apiserver error, a bug). */
export function asStepError(error: unknown): StepError {
  if (isStepError(error)) return error;
  return new StepError(Reason.ReconciliationFailed, messageOf(error), { cause: error });
}

/**
 * Whether writing `next` would change the stored status; a no-op run writes nothing. Key order
 * does not count: the apiserver returns objects with their keys sorted.
 */
export function changesStatus(
  next: Readonly<Record<string, unknown>>,
  written: Readonly<Record<string, unknown>> | undefined,
): boolean {
  return Object.entries(next).some(
    ([field, value]) => canonicalJson(value ?? null) !== canonicalJson(written?.[field] ?? null),
  );
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
