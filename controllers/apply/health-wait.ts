import { throwIfAborted } from './abort.ts';
import { ApplyError } from './apply-error.ts';
import type { DynamicClient, ObjectReference } from './dynamic-client.ts';
import { computeStatus, type KStatus, type KStatusResult } from './kstatus.ts';
import { type KubeObject, parseApiVersion } from './kube-object.ts';
import { mapLimit } from './map-limit.ts';
import { formatSubject } from './object-metadata.ts';

export interface WaitOptions {
  /** Give up after this long; objects not Current by then are reported. */
  readonly timeoutMs: number;
  /** Time between polls (Flux: 5 s for health checks, 2 s between apply stages). */
  readonly intervalMs?: number;
  /** Stop as soon as one object is Failed, as Flux's `--fail-fast`. */
  readonly failFast?: boolean;
  /** A custom status (healthCheckExprs) for the kinds it knows; kstatus for the rest. */
  readonly statusOf?: (object: KubeObject) => KStatusResult | undefined;
  readonly signal?: AbortSignal;
}

export interface ObjectHealth {
  readonly reference: ObjectReference;
  /** `Kind/namespace/name`. */
  readonly subject: string;
  readonly status: KStatus;
  readonly message: string;
}

export interface WaitResult {
  /** Every object is Current. */
  readonly healthy: boolean;
  readonly timedOut: boolean;
  /** The last status of every object. */
  readonly objects: readonly ObjectHealth[];
  /** Objects that are Failed, or (after a timeout) not Current. */
  readonly failed: readonly ObjectHealth[];
  /** Flux's message: `timeout waiting for: [...]` or `failed early due to stalled resources: [...]`. */
  readonly message: string;
}

function subjectOf(ref: ObjectReference): string {
  return formatSubject({
    namespace: ref.namespace ?? '',
    name: ref.name,
    group: parseApiVersion(ref.apiVersion).group,
    kind: ref.kind,
  });
}

async function pollOnce(
  client: DynamicClient,
  references: readonly ObjectReference[],
  { signal, statusOf }: WaitOptions,
): Promise<ObjectHealth[]> {
  // Bounded, so a wait on hundreds of objects does not burst hundreds of requests.
  return mapLimit(references, 8, async (reference): Promise<ObjectHealth> => {
    const subject = subjectOf(reference);
    try {
      const live = await client.get(reference, signal);
      if (!live) return { reference, subject, status: 'NotFound', message: 'Resource not found' };
      return { reference, subject, ...(statusOf?.(live) ?? computeStatus(live)) };
    } catch (error) {
      if (signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { reference, subject, status: 'Unknown', message };
    }
  });
}

/**
 * Polls the objects until all are Current, or all are Current or Failed (nothing left to
 * wait for), or one is Failed with `failFast`, or the timeout passes: Flux's
 * `WaitForSetWithContext` with kstatus. An aborted signal throws `Aborted`.
 */
export async function waitForSet(
  client: DynamicClient,
  references: readonly ObjectReference[],
  options: WaitOptions,
): Promise<WaitResult> {
  const intervalMs = options.intervalMs ?? 2_000;
  const deadline = Date.now() + options.timeoutMs;
  let objects: ObjectHealth[] = [];
  for (;;) {
    throwIfAborted(options.signal, 'health check wait');
    try {
      objects = await pollOnce(client, references, options);
    } catch (error) {
      throwIfAborted(options.signal, 'health check wait');
      throw error;
    }
    const healthy = objects.every((o) => o.status === 'Current');
    const terminal = objects.every((o) => o.status === 'Current' || o.status === 'Failed');
    const anyFailed = objects.some((o) => o.status === 'Failed');
    if (healthy || terminal || (options.failFast && anyFailed)) {
      return result(objects, false);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return result(objects, true);
    await sleep(Math.min(intervalMs, remaining), options.signal);
  }
}

function result(objects: ObjectHealth[], timedOut: boolean): WaitResult {
  const failed = objects.filter(
    (o) => o.status === 'Failed' || (timedOut && o.status !== 'Current'),
  );
  const healthy = failed.length === 0 && objects.every((o) => o.status === 'Current');
  const details = failed.map(
    (o) => `${o.subject} status: '${o.status}'${o.message ? `: ${o.message}` : ''}`,
  );
  const message = healthy
    ? ''
    : `${timedOut ? 'timeout waiting for' : 'failed early due to stalled resources'}: [${details.join(', ')}]`;
  return { healthy, timedOut, objects, failed, message };
}

/** Like `waitForSet`, but a set that is not healthy throws `WaitFailed` with Flux's message. */
export async function waitForSetOrThrow(
  client: DynamicClient,
  references: readonly ObjectReference[],
  options: WaitOptions,
): Promise<void> {
  const outcome = await waitForSet(client, references, options);
  if (!outcome.healthy) throw new ApplyError('WaitFailed', outcome.message);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
