import type { ServiceAccountRef } from './service-account-token.ts';

const providerAnnotation = 'gcp.auth.fluxcd.io/workload-identity-provider';
const serviceAccountAnnotation = 'iam.gke.io/gcp-service-account';
// Flux's patterns (pkg/auth/gcp), so that the same ServiceAccounts pass and fail.
const providerPattern =
  /^projects\/\d{1,30}\/locations\/global\/workloadIdentityPools\/[^/]{1,100}\/providers\/[^/]{1,100}$/;
const emailPattern = /^[a-zA-Z0-9-]{1,100}@[a-zA-Z0-9-]{1,100}\.iam\.gserviceaccount\.com$/;
const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform';

/** What a Kubernetes ServiceAccount maps to in GCP, read from its annotations as Flux does. */
export interface GcpWorkloadIdentity {
  /** `//iam.googleapis.com/projects/…/providers/…`: the token audience and the STS audience. */
  readonly audience: string;
  /** The Google service account to impersonate, when annotated; else the federated identity acts. */
  readonly serviceAccountEmail?: string;
}

/**
 * Reads `gcp.auth.fluxcd.io/workload-identity-provider` (required: on GKE Flux asks the
 * metadata server for the pool instead, which kustodian does not) and the optional
 * `iam.gke.io/gcp-service-account`.
 */
export function gcpWorkloadIdentity(account: ServiceAccountRef): GcpWorkloadIdentity {
  const where = `service account '${account.namespace}/${account.name}'`;
  const provider = account.annotations[providerAnnotation] ?? '';
  if (!providerPattern.test(provider)) {
    throw new Error(
      provider === ''
        ? `${where} has no ${providerAnnotation} annotation (projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>); the GKE metadata-server pool is not supported`
        : `${where}: invalid ${providerAnnotation} annotation: '${provider}'`,
    );
  }
  const email = account.annotations[serviceAccountAnnotation] ?? '';
  if (email !== '' && !emailPattern.test(email)) {
    throw new Error(`${where}: invalid ${serviceAccountAnnotation} annotation: '${email}'`);
  }
  return {
    audience: `//iam.googleapis.com/${provider}`,
    ...(email !== '' && { serviceAccountEmail: email }),
  };
}

export interface GcpExchangeOptions {
  /** The ServiceAccount token; sent to Google STS only. */
  readonly subjectToken: string;
  readonly identity: GcpWorkloadIdentity;
  /** Base URLs; Google's when unset. */
  readonly stsEndpoint?: string;
  readonly iamCredentialsEndpoint?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

async function postJson(
  url: string,
  init: { body: string; contentType: string; bearer?: string },
  what: string,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': init.contentType,
        ...(init.bearer && { authorization: `Bearer ${init.bearer}` }),
      },
      body: init.body,
      signal,
    });
  } catch (error) {
    const reason = signal.aborted ? 'timed out' : error instanceof Error ? error.message : 'failed';
    throw new Error(`${what} failed: ${reason}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    // Google's errors (`error_description`, `error.message`) name the problem, not the token.
    const b = body as { error_description?: unknown; error?: { message?: unknown } | unknown };
    const detail =
      typeof b?.error_description === 'string'
        ? b.error_description
        : typeof (b?.error as { message?: unknown })?.message === 'string'
          ? String((b.error as { message: string }).message)
          : `HTTP ${response.status}`;
    throw new Error(`${what} failed: ${detail.slice(0, 300)}`);
  }
  if (typeof body !== 'object' || body === null) throw new Error(`${what}: the answer is not JSON`);
  return body as Record<string, unknown>;
}

/**
 * Exchanges a ServiceAccount token for a Google access token as Flux does: Google STS token
 * exchange (RFC 8693) for a federated token, then, when a Google service account is annotated,
 * IAM Credentials `generateAccessToken` to impersonate it. Bounded by `timeoutMs`.
 */
export async function exchangeGcpToken(options: GcpExchangeOptions): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const sts = (options.stsEndpoint ?? 'https://sts.googleapis.com').replace(/\/$/, '');
  const federated = await postJson(
    `${sts}/v1/token`,
    {
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: options.identity.audience,
        scope: cloudPlatformScope,
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token: options.subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }).toString(),
    },
    `GCP STS token exchange for '${options.identity.audience}'`,
    signal,
  );
  const federatedToken = federated.access_token;
  if (typeof federatedToken !== 'string' || federatedToken === '') {
    throw new Error('GCP STS token exchange returned no access_token');
  }
  const email = options.identity.serviceAccountEmail;
  if (email === undefined) return federatedToken;
  const iam = (options.iamCredentialsEndpoint ?? 'https://iamcredentials.googleapis.com').replace(
    /\/$/,
    '',
  );
  const impersonated = await postJson(
    `${iam}/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:generateAccessToken`,
    {
      contentType: 'application/json',
      body: JSON.stringify({ scope: [cloudPlatformScope] }),
      bearer: federatedToken,
    },
    `impersonating GCP service account '${email}'`,
    signal,
  );
  const accessToken = impersonated.accessToken;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new Error(`impersonating GCP service account '${email}' returned no accessToken`);
  }
  return accessToken;
}
