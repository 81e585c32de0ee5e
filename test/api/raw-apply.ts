import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawRequest {
  readonly method: 'GET' | 'PATCH';
  /** Path and query, e.g. `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x`. */
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

/**
 * Sends a request to the apiserver with raw JSON in and out. client-node's typed APIs run
 * bodies through their model serializer, which drops fields the model names differently
 * (`default`, `enum`, `x-kubernetes-validations` in a CRD schema), so CRDs must not go
 * through them; and Table responses have no model at all.
 */
export async function rawRequest(kubeConfig: KubeConfig, raw: RawRequest): Promise<unknown> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const headers: Record<string, string> = { accept: raw.accept ?? 'application/json' };
  if (raw.contentType !== undefined) headers['content-type'] = raw.contentType;
  const options: Parameters<typeof request>[1] = { method: raw.method, headers };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(raw.path, cluster.server), options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) {
          reject(new Error(`${raw.method} ${raw.path}: HTTP ${res.statusCode}: ${text}`));
        } else {
          resolve(JSON.parse(text));
        }
      });
    });
    req.on('error', reject);
    req.end(raw.body === undefined ? undefined : JSON.stringify(raw.body));
  });
}

/** Server-side applies a cluster-scoped object given by its API path, as raw JSON. */
export function applyRawClusterObject(
  kubeConfig: KubeConfig,
  apiPath: string,
  body: unknown,
  fieldManager: string,
): Promise<unknown> {
  const query = new URLSearchParams({ fieldManager, force: 'true' });
  return rawRequest(kubeConfig, {
    method: 'PATCH',
    path: `${apiPath}?${query}`,
    body,
    contentType: 'application/apply-patch+yaml',
  });
}
