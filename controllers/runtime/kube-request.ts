import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  RequestContext,
} from '@kubernetes/client-node';

/** A failed apiserver call: HTTP status plus the `reason` of the returned Status object. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string;

  constructor(method: string, path: string, statusCode: number, reason: string, message: string) {
    super(`${method} ${path}: ${statusCode} ${reason}${message ? `: ${message}` : ''}`);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export function isKubeApiError(error: unknown, statusCode?: number): error is KubeApiError {
  return (
    error instanceof KubeApiError && (statusCode === undefined || error.statusCode === statusCode)
  );
}

export const ContentType = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  jsonPatch: 'application/json-patch+json',
  applyPatch: 'application/apply-patch+yaml',
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path on the apiserver, e.g. `/apis/coordination.k8s.io/v1/namespaces/x/leases/y`. */
  readonly path: string;
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: ContentType;
  readonly signal?: AbortSignal;
}

type Dispatcher = ReturnType<RequestContext['getDispatcher']>;
const dispatchers = new WeakMap<KubeConfig, Dispatcher>();
const http = new IsomorphicFetchHttpLibrary();

/**
 * One JSON call to the apiserver with the kubeconfig's credentials. The generated clients
 * cannot set a merge-patch content type on custom resources' `/status`, and they make a new
 * TLS agent per call; this reuses one agent per kubeconfig (the TLS material does not change,
 * the auth headers are recomputed every call so exec/OIDC tokens still refresh).
 */
export async function kubeRequest<T>(kubeConfig: KubeConfig, request: KubeRequest): Promise<T> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  const context = new RequestContext(url.toString(), HttpMethod[request.method]);
  await kubeConfig.applySecurityAuthentication(context);
  const cached = dispatchers.get(kubeConfig);
  if (cached) context.setDispatcher(cached);
  else dispatchers.set(kubeConfig, context.getDispatcher());
  context.setHeaderParam('Accept', 'application/json');
  if (request.body !== undefined) {
    context.setHeaderParam('Content-Type', request.contentType ?? ContentType.json);
    context.setBody(JSON.stringify(request.body));
  }
  if (request.signal) context.setSignal(request.signal);
  const response = await http.send(context).toPromise();
  const text = await response.body.text();
  const parsed = parseJson(text);
  if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) return parsed as T;
  const status = isRecord(parsed) ? parsed : {};
  throw new KubeApiError(
    request.method,
    request.path,
    response.httpStatusCode,
    typeof status.reason === 'string' ? status.reason : 'Unknown',
    typeof status.message === 'string' ? status.message : '',
  );
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
