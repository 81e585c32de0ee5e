/**
 * GCP KMS failures reduced to a google.rpc status name and a message that is safe to show:
 * what the service said, with anything that looks like a credential taken out.
 */
const TRANSIENT = new Set(
  'UNAVAILABLE DEADLINE_EXCEEDED RESOURCE_EXHAUSTED INTERNAL ABORTED UNREACHABLE TIMEOUT'.split(
    ' ',
  ),
);
// google.rpc.Code names, indexed by number.
const GRPC_STATUS = (
  'OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS ' +
  'PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE ' +
  'UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED'
).split(' ');
const HTTP_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const HINTS: Readonly<Record<string, string>> = {
  NOT_FOUND: 'check the resource id',
  PERMISSION_DENIED: 'the caller needs roles/cloudkms.cryptoKeyEncrypterDecrypter on the key',
  UNAUTHENTICATED: 'the credentials were refused; check the sops.gcp-kms entry or ADC',
  NO_CREDENTIALS:
    'give the sops.gcp-kms entry, GOOGLE_CREDENTIALS, GOOGLE_OAUTH_ACCESS_TOKEN or Application Default Credentials',
};

/** A failed KMS call reduced to a status name and a message safe to show. */
export interface GcpKmsFailure {
  readonly status: string;
  readonly message: string;
}

/** Redacts bearer tokens, JWTs and PEM blocks from text that may echo a request. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, '[redacted key]')
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted token]')
    .replace(/\bya29\.[\w.-]+/g, '[redacted token]');
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

/**
 * Reduces an SDK error to a google.rpc status and message. The REST transport surfaces either
 * a GoogleError (numeric gRPC `code`) or the HTTP client's error whose message is the raw
 * `{"error":{…}}` body, and network failures as Node error codes.
 */
export function describeGcpKmsFailure(
  error: unknown,
  secrets: readonly string[] = [],
): GcpKmsFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    status?: unknown;
    message?: unknown;
    gcpStatus?: unknown;
  };
  const raw = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.gcpStatus === 'string')
    return { status: e.gcpStatus, message: redact(raw, secrets) };
  try {
    const body = JSON.parse(raw) as { error?: { status?: unknown; message?: unknown } };
    if (typeof body.error?.status === 'string')
      return {
        status: body.error.status,
        message: redact(String(body.error.message ?? ''), secrets),
      };
  } catch {
    // not a JSON error body
  }
  const message = redact(raw.replace(/^\d+ [A-Z_]+: /, ''), secrets);
  if (typeof e.code === 'number' && e.code > 0 && e.code < GRPC_STATUS.length)
    return { status: GRPC_STATUS[e.code] ?? 'UNKNOWN', message };
  const http = typeof e.status === 'number' ? e.status : undefined;
  if (http !== undefined) return { status: HTTP_STATUS[http] ?? `HTTP ${http}`, message };
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code))
    return { status: 'UNREACHABLE', message: `the endpoint is unreachable (${e.code})` };
  return { status: 'UNKNOWN', message };
}

/** Whether a retry can help: the service was unavailable, throttled or slow. */
export function isTransientGcpKmsFailure(failure: GcpKmsFailure): boolean {
  return TRANSIENT.has(failure.status);
}

/** `STATUS: message (what to do)` for an error text. */
export function formatGcpKmsFailure(failure: GcpKmsFailure): string {
  const hint = HINTS[failure.status];
  const detail = failure.message ? `: ${failure.message}` : '';
  return `${failure.status}${detail}${hint ? ` (${hint})` : ''}`;
}
