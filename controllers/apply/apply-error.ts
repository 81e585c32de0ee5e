import type { ChangeSetEntry } from './change-set.ts';

/** What went wrong in the apply engine; the reconciler maps these onto its condition reasons. */
export type ApplyErrorCode =
  | 'InvalidObject'
  | 'UnknownKind'
  | 'DryRunFailed'
  | 'ApplyFailed'
  | 'DeleteFailed'
  | 'WaitFailed'
  | 'InventoryInvalid'
  | 'Aborted';

/** An engine failure naming the object (`Kind/namespace/name`) and what to do about it. */
export class ApplyError extends Error {
  readonly code: ApplyErrorCode;
  /** `Kind/namespace/name` of the object at fault, when there is one. */
  readonly subject: string | undefined;
  /** HTTP status from the apiserver, when the failure came from it (403 = RBAC denied). */
  readonly statusCode: number | undefined;
  /** What was applied or deleted before the failure (Flux reports a partial change set). */
  readonly changeSet: readonly ChangeSetEntry[];

  constructor(
    code: ApplyErrorCode,
    message: string,
    options: {
      subject?: string | undefined;
      statusCode?: number | undefined;
      cause?: unknown;
      changeSet?: readonly ChangeSetEntry[];
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApplyError';
    this.code = code;
    this.subject = options.subject;
    this.statusCode = options.statusCode;
    this.changeSet = options.changeSet ?? [];
  }

  /** The same error carrying the change set made before it. */
  withChangeSet(changeSet: readonly ChangeSetEntry[]): ApplyError {
    return new ApplyError(this.code, this.message, {
      subject: this.subject,
      statusCode: this.statusCode,
      cause: this.cause,
      changeSet,
    });
  }
}

export function isApplyError(error: unknown, code?: ApplyErrorCode): error is ApplyError {
  return error instanceof ApplyError && (code === undefined || error.code === code);
}
