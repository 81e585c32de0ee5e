import type { KubeHttpRequest, RequestObserver } from './kube-transport.ts';

export interface CountedRequest {
  readonly method: string;
  readonly path: string;
  readonly dryRun: boolean;
}

/**
 * Counts the requests a client sends. A write is a POST, PUT, PATCH or DELETE that is not a
 * dry run: what would bump a resourceVersion. Used to prove a no-op apply writes nothing.
 */
export class RequestCounter {
  readonly requests: CountedRequest[] = [];

  readonly observe: RequestObserver = (request: KubeHttpRequest) => {
    this.requests.push({
      method: request.method,
      path: request.path,
      dryRun: request.query?.dryRun !== undefined,
    });
  };

  get writes(): CountedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && !r.dryRun);
  }

  get dryRuns(): CountedRequest[] {
    return this.requests.filter((r) => r.dryRun);
  }

  get reads(): CountedRequest[] {
    return this.requests.filter((r) => r.method === 'GET');
  }

  reset(): void {
    this.requests.length = 0;
  }
}
