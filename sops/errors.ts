/** Why a SOPS operation failed; stable strings callers can switch on. */
export type SopsErrorCode =
  | 'InvalidInput'
  | 'MetadataNotFound'
  | 'InvalidMetadata'
  | 'UnsupportedVersion'
  | 'DataKeyUnavailable'
  | 'ValueDecryptionFailed'
  | 'MacMismatch'
  | 'AlreadyEncrypted'
  | 'EncryptionFailed'
  | 'InvalidRule';

/**
 * An error from the SOPS engine. Messages name the file and the key path, never a value or
 * key material, so they are safe to log and to put in a Kubernetes condition.
 */
export class SopsError extends Error {
  readonly code: SopsErrorCode;
  /** The file the error is about, when the caller told us. */
  readonly path: string | undefined;

  constructor(
    code: SopsErrorCode,
    message: string,
    options: { path?: string | undefined; cause?: unknown } = {},
  ) {
    super(
      options.path ? `${options.path}: ${message}` : message,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.name = 'SopsError';
    this.code = code;
    this.path = options.path;
  }
}

/** Returns a copy of `error` with the file path prefixed, keeping its code. */
export function withPath(error: unknown, path: string | undefined): unknown {
  if (!(error instanceof SopsError) || path === undefined || error.path !== undefined) return error;
  return new SopsError(error.code, error.message, { path, cause: error.cause });
}
