import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  RequestContext,
} from '@kubernetes/client-node';
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

const http = new IsomorphicFetchHttpLibrary();

/**
 * A transport over client-node's HTTP layer with the kubeconfig's credentials and
 * impersonation headers. One TLS dispatcher is kept per transport (the TLS material does not
 * change); auth headers are recomputed per call so expiring tokens refresh.
 */
export function createKubeTransport(
  kubeConfig: KubeConfig,
  options: { observer?: RequestObserver } = {},
): KubeTransport {
  let dispatcher: ReturnType<RequestContext['getDispatcher']>;
  return async (request) => {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    const context = new RequestContext(url.toString(), HttpMethod[request.method]);
    await kubeConfig.applySecurityAuthentication(context);
    if (dispatcher) context.setDispatcher(dispatcher);
    else dispatcher = context.getDispatcher();
    context.setHeaderParam('Accept', 'application/json');
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    if (request.signal) context.setSignal(request.signal);
    options.observer?.(request);
    const response = await http.send(context).toPromise();
    const text = await response.body.text();
    const parsed = parseJson(text);
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) return parsed;
    throw new KubeStatusError(
      request,
      response.httpStatusCode,
      isRecord(parsed) ? parsed : {},
      text.slice(0, 200),
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
