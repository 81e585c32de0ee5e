import { type KubeAccess, kubeConnection } from '../runtime/index.ts';
import { isRecord } from './kube-object.ts';

export type KubeVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const applyPatchContentType = 'application/apply-patch+yaml';
export const mergePatchContentType = 'application/merge-patch+json';
export const jsonPatchContentType = 'application/json-patch+json';

export interface KubeHttpRequest {
  readonly method: KubeVerb;
  /** Path on the apiserver, e.g. `/api/v1/namespaces/x/configmaps/y`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Sends one JSON request and returns the decoded body, or throws `KubeStatusError`. */
export type KubeTransport = (request: KubeHttpRequest) => Promise<unknown>;

/** Sees every request before it is sent; used to count writes. */
export type RequestObserver = (request: KubeHttpRequest) => void;

/** A non-2xx answer from the apiserver, with the fields of its `Status` object. */
export class KubeStatusError extends Error {
  readonly statusCode: number;
  readonly reason: string;
  readonly causes: readonly { reason?: string; message?: string; field?: string }[];

  constructor(
    request: KubeHttpRequest,
    statusCode: number,
    status: Record<string, unknown>,
    statusText: string,
  ) {
    const reason = typeof status.reason === 'string' ? status.reason : statusText || 'Unknown';
    const message = typeof status.message === 'string' ? status.message : '';
    super(message || `${request.method} ${request.path}: ${statusCode} ${reason}`);
    this.name = 'KubeStatusError';
    this.statusCode = statusCode;
    this.reason = reason;
    const details = isRecord(status.details) ? status.details : {};
    this.causes = Array.isArray(details.causes) ? details.causes.filter(isRecord) : [];
  }
}

export function isKubeStatusError(error: unknown, statusCode?: number): error is KubeStatusError {
  return (
    error instanceof KubeStatusError &&
    (statusCode === undefined || error.statusCode === statusCode)
  );
}

/**
 * A transport over the runtime's connection (one keep-alive agent per kubeconfig, auth
 * headers per call so expiring tokens refresh), sending as `impersonate` when given.
 */
export function createKubeTransport(
  kubeConfig: KubeAccess,
  options: { observer?: RequestObserver; impersonate?: string } = {},
): KubeTransport {
  const base = kubeConnection(kubeConfig);
  const connection =
    options.impersonate === undefined ? base : base.impersonating(options.impersonate);
  return async (request) => {
    options.observer?.(request);
    const response = await connection.send({
      method: request.method,
      path: request.path,
      query: request.query,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      contentType: request.contentType ?? 'application/json',
      signal: request.signal,
    });
    const parsed = parseJson(response.text);
    if (response.statusCode >= 200 && response.statusCode < 300) return parsed;
    throw new KubeStatusError(
      request,
      response.statusCode,
      isRecord(parsed) ? parsed : {},
      response.statusMessage || response.text.slice(0, 200),
    );
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
