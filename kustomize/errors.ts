/** Why a kustomize build failed; one closed union so callers can map it to a condition reason. */
export type KustomizeErrorCode =
  | 'MissingKustomization'
  | 'InvalidKustomization'
  | 'InvalidResource'
  | 'ResourceConflict'
  | 'ResourceNotFound'
  | 'SecurityViolation'
  | 'LimitExceeded'
  | 'PatchFailed'
  | 'NotSupported';

/** An error of the kustomize engine; the message names the file (and key) at fault. */
export class KustomizeError extends Error {
  readonly code: KustomizeErrorCode;

  constructor(code: KustomizeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KustomizeError';
    this.code = code;
  }
}
