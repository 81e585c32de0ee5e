import { isKubeStatusError, type KubeTransport } from '../../apply/index.ts';

/** The parts of a ServiceAccount that workload identity reads. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Why a ServiceAccount token could not be had; messages name the account, never a token. */
export class ServiceAccountTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceAccountTokenError';
  }
}

function path(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads the ServiceAccount with the controller's identity, as Flux's `pkg/auth` does before
 * it asks for a token: a missing account is refused by name.
 */
export async function readServiceAccount(
  transport: KubeTransport,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<ServiceAccountRef> {
  let body: unknown;
  try {
    body = await transport({
      method: 'GET',
      path: path(namespace, name),
      ...(signal && { signal }),
    });
  } catch (error) {
    const why = isKubeStatusError(error, 404)
      ? `serviceaccounts "${name}" not found`
      : messageOf(error);
    throw new ServiceAccountTokenError(
      `failed to get service account '${namespace}/${name}': ${why}`,
      { cause: error },
    );
  }
  const metadata = (body as { metadata?: { annotations?: unknown } } | undefined)?.metadata;
  const annotations: Record<string, string> = {};
  if (typeof metadata?.annotations === 'object' && metadata.annotations !== null) {
    for (const [key, value] of Object.entries(metadata.annotations)) {
      if (typeof value === 'string') annotations[key] = value;
    }
  }
  return { namespace, name, annotations };
}

/**
 * Asks the apiserver's TokenRequest API for a short-lived token of the ServiceAccount, bound
 * to `audiences` (the identity provider's, e.g. `sts.amazonaws.com`). The token is returned to
 * the caller only; it is never logged or put in an error.
 */
export async function requestServiceAccountToken(
  transport: KubeTransport,
  account: Pick<ServiceAccountRef, 'namespace' | 'name'>,
  options: { audiences: readonly string[]; expirationSeconds?: number; signal?: AbortSignal },
): Promise<string> {
  const where = `service account '${account.namespace}/${account.name}'`;
  let body: unknown;
  try {
    body = await transport({
      method: 'POST',
      path: `${path(account.namespace, account.name)}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: options.audiences,
          // The apiserver's minimum; the token is exchanged at once and not kept.
          expirationSeconds: options.expirationSeconds ?? 600,
        },
      },
      ...(options.signal && { signal: options.signal }),
    });
  } catch (error) {
    throw new ServiceAccountTokenError(
      `failed to create kubernetes token for ${where}: ${messageOf(error)}`,
      { cause: error },
    );
  }
  const token = (body as { status?: { token?: unknown } } | undefined)?.status?.token;
  if (typeof token !== 'string' || token === '') {
    throw new ServiceAccountTokenError(
      `failed to create kubernetes token for ${where}: the TokenRequest answer holds no token`,
    );
  }
  return token;
}
