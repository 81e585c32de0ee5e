// Raw JSON requests to the bench's apiserver and its request counters, for
// kustomize-controller-bench.ts. Raw JSON because client-node's typed APIs drop CRD defaults.
import { Agent, request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface KubeRequest {
  readonly method: Method;
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

/** A keep-alive client for one kubeconfig; `text` for non-JSON endpoints such as /metrics. */
export class Kube {
  readonly #config: KubeConfig;
  readonly #server: string;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 32 });

  constructor(kubeconfigPath: string) {
    this.#config = new KubeConfig();
    this.#config.loadFromFile(kubeconfigPath);
    const cluster = this.#config.getCurrentCluster();
    if (!cluster) throw new Error(`${kubeconfigPath}: no current cluster`);
    this.#server = cluster.server;
  }

  async json(raw: KubeRequest): Promise<unknown> {
    const text = await this.text(raw);
    return text === '' ? undefined : JSON.parse(text);
  }

  async text(raw: KubeRequest): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json, text/plain' };
    if (raw.contentType !== undefined) headers['content-type'] = raw.contentType;
    const options: Parameters<typeof request>[1] = {
      method: raw.method,
      headers,
      agent: this.#agent,
    };
    await this.#config.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const req = request(new URL(raw.path, this.#server), options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) {
            reject(new Error(`${raw.method} ${raw.path}: HTTP ${res.statusCode}: ${text}`));
          } else {
            resolve(text);
          }
        });
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${raw.method} ${raw.path}: timeout`)));
      req.on('error', reject);
      req.end(raw.body === undefined ? undefined : JSON.stringify(raw.body));
    });
  }

  /** Server-side applies `body` at `path` (the object's own URL). */
  apply(path: string, body: unknown, fieldManager = 'kustodian-bench'): Promise<unknown> {
    return this.json({
      method: 'PATCH',
      path: `${path}?fieldManager=${fieldManager}&force=true`,
      body,
      contentType: 'application/apply-patch+yaml',
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `apiserver_request_total` by `verb resource[/subresource] [dry-run]`. */
export type RequestCounts = Map<string, number>;

// The apiserver reports server-side apply as verb APPLY, and dry runs with dry_run="All".
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

export async function scrapeRequestCounts(kube: Kube): Promise<RequestCounts> {
  const text = await kube.text({ method: 'GET', path: '/metrics' });
  const counts: RequestCounts = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    const verb = labels.verb ?? '';
    if (!MUTATING.has(verb)) continue;
    const resource = labels.subresource
      ? `${labels.resource}/${labels.subresource}`
      : (labels.resource ?? '');
    const key = `${verb} ${resource}${labels.dry_run ? ' (dry-run)' : ''}`;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

/** The growth of each counter from `before` to `after`, zero rows left out. */
export function countDelta(before: RequestCounts, after: RequestCounts): RequestCounts {
  const delta: RequestCounts = new Map();
  for (const [key, value] of after) {
    const grown = value - (before.get(key) ?? 0);
    if (grown > 0) delta.set(key, grown);
  }
  return new Map([...delta].sort(([a], [b]) => a.localeCompare(b)));
}
