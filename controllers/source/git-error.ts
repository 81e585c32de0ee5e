/**
 * What went wrong talking to a Git server or reading a checkout. The reconciler maps each code
 * to a condition reason (`AuthenticationFailed`, `GitOperationFailed`, …) and decides retries.
 */
export type GitErrorCode =
  /** `spec.url` has an unsupported scheme or carries credentials (Flux's URLInvalid). */
  | 'InvalidURL'
  /** The secret lacks a key the URL needs, or holds an unusable value. */
  | 'InvalidSecret'
  /** The server refused the credentials (HTTP 401/403, SSH publickey denied). */
  | 'AuthenticationFailed'
  /** The SSH host key is not in `known_hosts`, or differs from it. */
  | 'HostKeyVerificationFailed'
  /** The TLS certificate of the server is not trusted. */
  | 'TLSVerificationFailed'
  /** The server could not be reached (refused, timeout, DNS). */
  | 'Unreachable'
  /** The branch, tag, semver range, name or commit matches nothing on the remote. */
  | 'ReferenceNotFound'
  /** A path named in the spec (e.g. `sparseCheckout`) is not in the commit. */
  | 'PathNotFound'
  /** The operation ran past its deadline or was aborted. */
  | 'Timeout'
  /** Any other failure of the git CLI. */
  | 'GitOperationFailed';

export class GitError extends Error {
  override readonly name = 'GitError';
  readonly code: GitErrorCode;
  /** True when trying again later may succeed without a spec or secret change. */
  readonly retryable: boolean;

  constructor(code: GitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = code === 'Unreachable' || code === 'Timeout' || code === 'GitOperationFailed';
  }
}

/** Replaces every secret value and any `user:password@` in URLs with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
  // Longest first, so a secret that contains another is replaced whole.
  const sorted = [...new Set(secrets)]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return out;
}

const classifiers: ReadonlyArray<readonly [RegExp, GitErrorCode]> = [
  [
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i,
    'HostKeyVerificationFailed',
  ],
  [
    /Authentication failed|Permission denied \(publickey|HTTP 40[13]|returned error: 40[13]|could not read (Username|Password)|terminal prompts disabled|incorrect passphrase|Load key .*: incorrect/i,
    'AuthenticationFailed',
  ],
  [
    /SSL certificate problem|server certificate verification failed|unable to get local issuer certificate|self[- ]signed certificate/i,
    'TLSVerificationFailed',
  ],
  [
    /Connection refused|Could not resolve host|Connection timed out|Failed to connect|Connection reset|Connection closed by|Could not read from remote repository|Empty reply from server|HTTP 50[0-9]|returned error: 5[0-9][0-9]/i,
    'Unreachable',
  ],
  [
    /couldn't find remote ref|not our ref|no such remote ref|unadvertised object|invalid refspec|reference is not a tree/i,
    'ReferenceNotFound',
  ],
];

/** Picks an error code from git's stderr; the first matching classifier wins. */
export function classifyGitFailure(stderr: string): GitErrorCode {
  for (const [pattern, code] of classifiers) if (pattern.test(stderr)) return code;
  return 'GitOperationFailed';
}

/** Keeps the lines git meant for humans (`fatal:`, `error:`, `remote:`), scrubbed and short. */
export function summarizeGitStderr(stderr: string, secrets: readonly string[]): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) =>
      /^(fatal|error|remote|ssh|warning: .*(denied|failed))|denied|failed/i.test(line),
    );
  const chosen = (lines.length > 0 ? lines : stderr.split('\n').filter(Boolean)).slice(-3);
  return scrubSecrets(chosen.join('; '), secrets).slice(0, 500);
}
