import { Reason } from '../../api/index.ts';
import type { InventoryEntry } from '../apply/index.ts';
import { StepError } from './step-error.ts';

/**
 * A step that cannot go on yet and looks again after `requeueAfterMs`, as Flux does for a
 * missing source artifact or a dependency that is not ready: Ready=False without a failure
 * event (an optional Normal event says why it waits).
 */
export class StepWait extends StepError {
  readonly requeueAfterMs: number;
  readonly notice: string | undefined;

  constructor(
    reason: StepError['reason'],
    message: string,
    options: { requeueAfterMs: number; notice?: string; cause?: unknown },
  ) {
    super(reason, message, { retryable: true, cause: options.cause });
    this.name = 'StepWait';
    this.requeueAfterMs = options.requeueAfterMs;
    this.notice = options.notice;
  }
}

/** `--no-cross-namespace-refs` refused the source: Flux's AccessDenied, stalled. */
export class AccessDeniedError extends StepError {
  readonly conditionReason = Reason.AccessDenied;

  constructor(message: string) {
    super(Reason.ArtifactFailed, message, { retryable: false });
    this.name = 'AccessDeniedError';
  }
}

/** `spec.healthCheckExprs` does not parse: Flux's InvalidCELExpression, stalled until the spec changes. */
export class InvalidCelExpressionError extends StepError {
  readonly conditionReason = Reason.InvalidCELExpression;

  constructor(message: string, cause: unknown) {
    super(Reason.ReconciliationFailed, message, { retryable: false, cause });
    this.name = 'InvalidCelExpressionError';
  }
}

/** Prune failed; the objects whose deletion was not confirmed stay in the inventory (Flux #1664). */
export class PruneError extends StepError {
  readonly survivors: readonly InventoryEntry[];

  constructor(message: string, survivors: readonly InventoryEntry[], cause: unknown) {
    super(Reason.PruneFailed, message, { retryable: true, cause });
    this.name = 'PruneError';
    this.survivors = survivors;
  }
}

/** The Ready reason a step error is reported with. */
export function conditionReasonOf(error: StepError): string {
  return error instanceof AccessDeniedError || error instanceof InvalidCelExpressionError
    ? error.conditionReason
    : error.reason;
}
