import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { KeyEntry } from '../metadata.ts';
import {
  describeGcpKmsFailure,
  formatGcpKmsFailure,
  type GcpKmsFailure,
  isTransientGcpKmsFailure,
} from './gcp-kms-failure.ts';
import { type KeySource, nowRfc3339 } from './key-source.ts';

/**
 * Credentials for GCP KMS. `json` is a Google credentials file (service account key,
 * `authorized_user`, `external_account`, …) as Flux's `sops.gcp-kms` entry and sops'
 * `GOOGLE_CREDENTIALS` hold it; `accessToken` is an OAuth 2.0 access token, as sops'
 * `GOOGLE_OAUTH_ACCESS_TOKEN`.
 */
export type GcpKmsCredentials =
  | { readonly kind: 'json'; readonly json: string }
  | { readonly kind: 'accessToken'; readonly accessToken: string };

export interface GcpKmsKeySourceOptions {
  /** Undefined: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, metadata server). */
  readonly credentials?: GcpKmsCredentials | undefined;
  /** Another endpoint, as sops' `SOPS_GCP_KMS_ENDPOINT`: `https://host[:port]`, or `http://…` for tests. */
  readonly endpoint?: string | undefined;
  /** Another universe (sops' `SOPS_GCP_KMS_UNIVERSE_DOMAIN`): cloudkms.<domain>; ignored with `endpoint`. */
  readonly universeDomain?: string | undefined;
  /** Limit for one attempt, credential lookup included; default 30 s. */
  readonly timeoutMs?: number | undefined;
  /** Attempts for transient failures (unavailable, timed out, throttled); default 3. */
  readonly maxAttempts?: number | undefined;
  /** First backoff delay, doubled per retry; default 250 ms. */
  readonly retryDelayMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** sops' check of a GCP KMS resource id (gcpkms.newKMSClient). */
const RESOURCE_ID = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 6750 b64token: what an OAuth access token may consist of.
const ACCESS_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const CREDENTIAL_TYPES = [
  'service_account',
  'authorized_user',
  'external_account',
  'external_account_authorized_user',
  'impersonated_service_account',
] as const;

function checkResourceId(resourceId: string): string {
  const id = resourceId.replaceAll(' ', '');
  if (!RESOURCE_ID.test(id))
    throw new Error(
      `GCP KMS resource id "${id}" is not of the form projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`,
    );
  return id;
}

/**
 * Options from the environment as the sops CLI reads it: `GOOGLE_CREDENTIALS` (a credentials
 * file path, or the JSON itself), else `GOOGLE_OAUTH_ACCESS_TOKEN`, else Application Default
 * Credentials; `SOPS_GCP_KMS_ENDPOINT` for another endpoint. `readFile` returns undefined for
 * a path that is not a readable file.
 */
export function gcpKmsOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string | undefined,
): GcpKmsKeySourceOptions {
  const base = {
    endpoint: env.SOPS_GCP_KMS_ENDPOINT || undefined,
    universeDomain: env.SOPS_GCP_KMS_UNIVERSE_DOMAIN || undefined,
  };
  const file = env.GOOGLE_CREDENTIALS;
  if (file) return { ...base, credentials: { kind: 'json', json: readFile(file) ?? file } };
  const token = env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (token) return { ...base, credentials: { kind: 'accessToken', accessToken: token } };
  return base;
}

/**
 * Reads Flux's `sops.gcp-kms` Secret entry: a Google credentials JSON (Flux passes it to
 * `google.CredentialsFromJSON`), or, as a kustodian extension, a bare OAuth access token.
 * Errors name the entry and the problem, never the value.
 */
export function parseGcpKmsSecretEntry(value: Uint8Array): GcpKmsCredentials {
  const text = Buffer.from(value).toString('utf8').trim();
  const fail = (problem: string) => new Error(`decryption Secret entry "sops.gcp-kms": ${problem}`);
  if (text === '') throw fail('the entry is empty; put a service-account key file (JSON) in it');
  if (!text.startsWith('{')) {
    if (ACCESS_TOKEN.test(text)) return { kind: 'accessToken', accessToken: text };
    throw fail('it is neither a Google credentials JSON nor an OAuth access token');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input: never pass it on.
    throw fail('it is not valid JSON; expected a Google credentials file');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw fail('it is not a JSON object; expected a Google credentials file');
  const fields = parsed as Record<string, unknown>;
  const type = fields.type;
  if (typeof type !== 'string')
    throw fail('it has no "type" field; expected a Google credentials file');
  if (!(CREDENTIAL_TYPES as readonly string[]).includes(type))
    throw fail(`credentials type "${type}" is not supported (use ${CREDENTIAL_TYPES.join(', ')})`);
  if (type === 'service_account') {
    for (const field of ['client_email', 'private_key'])
      if (typeof fields[field] !== 'string' || fields[field] === '')
        throw fail(`the service-account key has no "${field}"`);
    if (!String(fields.private_key).includes('PRIVATE KEY-----'))
      throw fail('the service-account "private_key" is not a PEM private key');
  }
  return { kind: 'json', json: text };
}

type KmsClient = KeyManagementServiceClient;

function credentialsObject(json: string): Record<string, string> {
  try {
    return JSON.parse(json) as Record<string, string>;
  } catch {
    // JSON.parse's message quotes the input: never pass it on.
    throw Object.assign(new Error('the GCP credentials are not valid JSON'), {
      gcpStatus: 'NO_CREDENTIALS',
    });
  }
}

const KMS_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/cloudkms',
];

/**
 * Resolves the credentials before the KMS client exists: the client's constructor starts its
 * own credential lookup and leaves a failure of it (no ADC, unreadable key file) as an
 * unhandled rejection, which would end the process.
 */
async function resolveAuth(options: GcpKmsKeySourceOptions) {
  const { GoogleAuth, OAuth2Client } = await import('google-auth-library');
  const c = options.credentials;
  let auth: InstanceType<typeof GoogleAuth>;
  if (c?.kind === 'accessToken') {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: c.accessToken });
    auth = new GoogleAuth({ authClient });
  } else {
    const universeDomain = options.universeDomain;
    auth = new GoogleAuth({
      scopes: KMS_SCOPES,
      ...(c ? { credentials: credentialsObject(c.json) } : {}),
      ...(universeDomain ? { universeDomain } : {}),
    });
  }
  // What the KMS client sets on its own auth: service accounts send a self-signed JWT.
  auth.useJWTAccessWithScope = true;
  auth.defaultServicePath = `cloudkms.${options.universeDomain ?? 'googleapis.com'}`;
  try {
    await auth.getClient();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw Object.assign(new Error(reason), { gcpStatus: 'NO_CREDENTIALS' });
  }
  return auth;
}

// The REST transport (`fallback: 'rest'`, HTTP/1.1 + JSON) rather than gRPC: measured on Node
// 24, a client on it takes ~15 MB less RSS and a few hundred ms less to set up (no HTTP/2
// channel, no proto service loading), and it is the transport sops offers through
// `SOPS_GCP_KMS_CLIENT_TYPE=rest`, so the tests' local wire-format server speaks one protocol
// to both the SDK and the real sops binary. Key wrapping is one small call: HTTP/2 buys nothing.
async function createClient(options: GcpKmsKeySourceOptions): Promise<KmsClient> {
  const target: { apiEndpoint?: string; port?: number; protocol?: string } = {};
  if (options.endpoint !== undefined) {
    const url = new URL(
      /^[a-z]+:\/\//i.test(options.endpoint) ? options.endpoint : `https://${options.endpoint}`,
    );
    target.apiEndpoint = url.hostname;
    target.protocol = url.protocol.replace(':', '');
    target.port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  }
  const auth = await resolveAuth(options);
  const { KeyManagementServiceClient } = await import('@google-cloud/kms');
  const universe = options.universeDomain ? { universeDomain: options.universeDomain } : {};
  return new KeyManagementServiceClient({ fallback: 'rest', ...target, ...universe, auth });
}

function abortError(): Error {
  return Object.assign(new Error('the operation was aborted'), { gcpStatus: 'CANCELLED' });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Cancellable<T> = Promise<T> & { cancel?: () => void };

/** One attempt with a hard deadline (credential lookup included), cancelled when it passes. */
async function attempt<T>(
  getClient: () => Promise<KmsClient>,
  run: (kms: KmsClient) => Cancellable<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  let pending: Cancellable<T> | undefined;
  let cancelled = false;
  const call = getClient().then((kms) => {
    if (cancelled) throw abortError();
    pending = run(kms);
    return pending;
  });
  call.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const stop = (error: Error) => {
      cancelled = true;
      pending?.cancel?.();
      reject(error);
    };
    timer = setTimeout(
      () => stop(Object.assign(new Error('timed out'), { gcpStatus: 'TIMEOUT' })),
      timeoutMs,
    );
    onAbort = () => stop(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * GCP KMS key source (`gcp_kms` entries). The data key is encrypted with the CryptoKey named
 * by the recipient's resource id and stored base64-encoded in `enc`, as sops does. The SDK is
 * loaded on first use only, and one client is kept per key source. Each call has a deadline
 * (`timeoutMs`) and transient failures are retried with exponential backoff and jitter.
 */
export function gcpKmsKeySource(options: GcpKmsKeySourceOptions = {}): KeySource {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 250;
  const c = options.credentials;
  const secrets = c === undefined ? [] : c.kind === 'json' ? [c.json] : [c.accessToken];
  let client: Promise<KmsClient> | undefined;
  const getClient = () => {
    client ??= createClient(options).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };

  async function call<T>(
    resourceId: string,
    verb: 'encrypt' | 'decrypt',
    run: (kms: KmsClient) => Cancellable<T>,
  ): Promise<T> {
    let last: GcpKmsFailure = { status: 'UNKNOWN', message: '' };
    for (let n = 1; n <= maxAttempts; n += 1) {
      if (n > 1)
        await sleep(retryDelayMs * 2 ** (n - 2) * (0.75 + Math.random() / 2), options.signal);
      try {
        return await attempt(getClient, run, timeoutMs, options.signal);
      } catch (error) {
        last = describeGcpKmsFailure(error, secrets);
        if (last.status === 'TIMEOUT')
          last = { ...last, message: `no answer within ${timeoutMs} ms` };
        if (options.signal?.aborted || !isTransientGcpKmsFailure(last)) break;
      }
    }
    const tries = isTransientGcpKmsFailure(last) ? ` after ${maxAttempts} attempt(s)` : '';
    throw new Error(
      `GCP KMS key ${resourceId}: ${verb} failed${tries}: ${formatGcpKmsFailure(last)}`,
    );
  }

  return {
    type: 'gcp_kms',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      const resourceId = checkResourceId(String(entry.fields.resource_id ?? ''));
      if (!BASE64.test(entry.enc))
        throw new Error(`GCP KMS key ${resourceId}: the enc field is not base64`);
      const ciphertext = Buffer.from(entry.enc, 'base64');
      const [response] = await call(resourceId, 'decrypt', (kms) =>
        kms.decrypt({ name: resourceId, ciphertext }, { timeout: timeoutMs, retry: null }),
      );
      if (!response.plaintext)
        throw new Error(`GCP KMS key ${resourceId}: decrypt returned no plaintext`);
      return new Uint8Array(Buffer.from(response.plaintext));
    },
    async wrap(recipient: string, part: Uint8Array): Promise<KeyEntry> {
      const resourceId = checkResourceId(recipient);
      const [response] = await call(resourceId, 'encrypt', (kms) =>
        kms.encrypt({ name: resourceId, plaintext: part }, { timeout: timeoutMs, retry: null }),
      );
      if (!response.ciphertext)
        throw new Error(`GCP KMS key ${resourceId}: encrypt returned no ciphertext`);
      // Base64, not raw bytes: what sops has stored since its first GCP KMS client.
      const enc = Buffer.from(response.ciphertext).toString('base64');
      return {
        type: 'gcp_kms',
        enc,
        fields: { resource_id: resourceId, created_at: nowRfc3339() },
      };
    },
  };
}
