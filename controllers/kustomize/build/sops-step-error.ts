import { SopsError } from '../../../sops/index.ts';
import { StepError } from '../step-error.ts';

/** The advice that follows each kind of SOPS failure in a DecryptionFailed message. */
function advice(error: SopsError): string {
  switch (error.code) {
    case 'MacMismatch':
      return 're-encrypt it with sops';
    case 'DataKeyUnavailable':
      return 'check that the spec.decryption.secretRef Secret holds a key it was encrypted for';
    default:
      return 'check that it was written by sops and not edited by hand';
  }
}

/**
 * Turns an error from the SOPS engine into a DecryptionFailed step error. `where` names the
 * file or object; SopsError messages never carry a value, and other errors are not quoted.
 */
export function decryptionFailed(where: string, error: unknown): StepError {
  if (error instanceof StepError) return error;
  if (error instanceof SopsError) {
    const text = error.path === undefined ? `${where}: ${error.message}` : error.message;
    return new StepError('DecryptionFailed', `${text.replace(/[.;]$/, '')}; ${advice(error)}`, {
      retryable: error.code !== 'MacMismatch',
      cause: error,
    });
  }
  return new StepError('DecryptionFailed', `${where}: decryption failed unexpectedly`, {
    retryable: true,
    cause: error,
  });
}

export function decryptionNotConfigured(where: string, hasProvider: boolean): StepError {
  return new StepError(
    'DecryptionFailed',
    hasProvider
      ? `${where}: is encrypted with SOPS but spec.decryption has no secretRef; set spec.decryption.secretRef to a Secret holding its key (*.agekey or *.asc)`
      : `${where}: is encrypted with SOPS but decryption is not configured; set spec.decryption (provider: sops, secretRef: a Secret holding its key)`,
    { retryable: true },
  );
}
