import { ConditionType, Reason } from '../../api/index.ts';
import { StorageError } from './artifact-storage.ts';
import { GitError } from './git-error.ts';
import { VerificationError } from './signature-verify.ts';

/**
 * How a failed step ends the run, as Flux's source-controller error kinds:
 * - `generic`: Ready=False, a Warning event, retried with backoff;
 * - `stalling`: Stalled=True, a Warning event, not retried until the spec changes;
 * - `waiting`: Ready=False, no event, retried after `--requeue-dependency`.
 */
export type FailureKind = 'generic' | 'stalling' | 'waiting';

/** The condition a failure is recorded on: True for the abnormal ones, False for SourceVerified. */
export type FailureCondition =
  | typeof ConditionType.FetchFailed
  | typeof ConditionType.StorageOperationFailed
  | typeof ConditionType.IncludeUnavailable
  | typeof ConditionType.SourceVerified;

/** A step of the GitRepository reconcile failed; the message never holds a credential. */
export class SourceFailure extends Error {
  override readonly name = 'SourceFailure';
  readonly reason: string;
  readonly condition: FailureCondition;
  readonly kind: FailureKind;

  constructor(
    options: { reason: string; condition: FailureCondition; kind?: FailureKind; message: string },
    cause?: unknown,
  ) {
    super(options.message, cause === undefined ? undefined : { cause });
    this.reason = options.reason;
    this.condition = options.condition;
    this.kind = options.kind ?? 'generic';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps a checkout error to Flux's outcome. Flux reports every clone failure (refused
 * credentials, unknown host key, missing ref, unreachable server) as GitOperationFailed with
 * "failed to checkout and determine revision"; an unusable Secret as AuthenticationFailed; an
 * invalid URL as URLInvalid, which stalls. The git code stays in the message so a user can tell
 * a wrong password from a missing branch.
 */
export function checkoutFailure(error: unknown): SourceFailure {
  if (!(error instanceof GitError)) {
    return new SourceFailure(
      {
        reason: Reason.GitOperationFailed,
        condition: ConditionType.FetchFailed,
        message: `failed to checkout and determine revision: ${messageOf(error)}`,
      },
      error,
    );
  }
  switch (error.code) {
    case 'InvalidURL':
      return new SourceFailure(
        {
          reason: Reason.URLInvalid,
          condition: ConditionType.FetchFailed,
          kind: 'stalling',
          message: error.message,
        },
        error,
      );
    case 'InvalidSecret':
      return new SourceFailure(
        {
          reason: Reason.AuthenticationFailed,
          condition: ConditionType.FetchFailed,
          message: `failed to configure authentication options: ${error.message}`,
        },
        error,
      );
    case 'PathNotFound':
      return new SourceFailure(
        {
          reason: Reason.GitOperationFailed,
          condition: ConditionType.FetchFailed,
          message: `failed to sparse checkout directories : ${error.message}`,
        },
        error,
      );
    default:
      return new SourceFailure(
        {
          reason: Reason.GitOperationFailed,
          condition: ConditionType.FetchFailed,
          message: `failed to checkout and determine revision: ${error.code}: ${error.message}`,
        },
        error,
      );
  }
}

/**
 * Signature failures set SourceVerified=False with Flux's reason; a tag mode without a tag
 * reference stalls, the rest are retried in the hope that the keys or the commits change.
 */
export function verificationFailure(error: unknown): SourceFailure {
  const code = error instanceof VerificationError ? error.code : 'VerificationError';
  return new SourceFailure(
    {
      reason: code,
      condition: ConditionType.SourceVerified,
      kind: code === 'InvalidVerificationMode' ? 'stalling' : 'generic',
      message: messageOf(error),
    },
    error,
  );
}

/** A storage step failed (archive, include copy, directory creation). */
export function storageFailure(error: unknown, reason: string, context: string): SourceFailure {
  const detail = error instanceof StorageError || error instanceof Error ? error.message : error;
  return new SourceFailure(
    {
      reason,
      condition: ConditionType.StorageOperationFailed,
      message: `${context}: ${String(detail)}`,
    },
    error,
  );
}
