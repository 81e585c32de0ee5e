import type { KustomizationFailureReason } from '../../api/index.ts';

/**
 * The error every step of a Kustomization reconcile throws: the Flux reason it maps to and
 * whether retrying at `retryInterval` can help. One function in the reconciler turns it into
 * Ready=False, the event and the requeue; steps never write conditions. The message names
 * files and keys, never secret values.
 */
export class StepError extends Error {
  readonly reason: KustomizationFailureReason;
  readonly retryable: boolean;

  constructor(
    reason: KustomizationFailureReason,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepError';
    this.reason = reason;
    this.retryable = options.retryable ?? true;
  }
}

export function isStepError(error: unknown): error is StepError {
  return error instanceof StepError;
}
