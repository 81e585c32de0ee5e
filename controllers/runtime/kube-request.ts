import { type KubeAccess, kubeConnection } from './kube-connection.ts';

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

/**
 * One JSON call to the apiserver with the kubeconfig's credentials. The generated clients
 * cannot set a merge-patch content type on custom resources' `/status`; this sends any.
 */
export async function kubeRequest<T>(kubeConfig: KubeAccess, request: KubeRequest): Promise<T> {
  const response = await kubeConnection(kubeConfig).send({
    method: request.method,
    path: request.path,
    query: request.query,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    contentType: request.contentType ?? ContentType.json,
    signal: request.signal,
  });
  const parsed = parseJson(response.text);
  if (response.statusCode >= 200 && response.statusCode < 300) return parsed as T;
  const status = isRecord(parsed) ? parsed : {};
  throw new KubeApiError(
    request.method,
    request.path,
    response.statusCode,
    typeof status.reason === 'string' ? status.reason : response.statusMessage || 'Unknown',
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
