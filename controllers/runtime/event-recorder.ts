import { hostname } from 'node:os';
import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeAccess } from './kube-connection.ts';
import { ContentType, isKubeApiError, kubeRequest } from './kube-request.ts';

export type EventType = 'Normal' | 'Warning';

/** Where events go; the apiserver in production, a list in unit tests. */
export interface EventSink {
  create(event: CoreV1Event): Promise<void>;
  /** Raises the count of an event already written; false when it no longer exists. */
  update(namespace: string, name: string, patch: Partial<CoreV1Event>): Promise<boolean>;
}

export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`: Flux uses `source-controller` etc. */
  readonly component: string;
  readonly sink: EventSink;
  readonly logger: Logger;
  readonly host?: string;
  /** client-go's spam filter: a burst of 25 per object, then one per 5 minutes. */
  readonly burst?: number;
  readonly refillIntervalMs?: number;
  readonly now?: () => number;
}

/** Similar events (same object, type, reason) with more distinct messages than this merge. */
const AGGREGATE_MAX_MESSAGES = 10;
const AGGREGATE_WINDOW_MS = 10 * 60_000;
const CACHE_LIMIT = 4096;
const MAX_MESSAGE_LENGTH = 1024;

interface Written {
  namespace: string;
  name: string;
  count: number;
  firstTimestamp: Date;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

interface Similar {
  messages: Set<string>;
  since: number;
}

/**
 * Kubernetes Events about our objects, recorded like client-go's EventRecorder: an identical
 * event raises the count of the one already written instead of adding another, more than ten
 * similar events in ten minutes are combined into one, and a token bucket per object keeps a
 * failing reconcile from flooding the apiserver. Recording never throws: an event is a report,
 * not part of the reconcile.
 */
export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #written = new Map<string, Written>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #similar = new Map<string, Similar>();
  #sequence = 0;

  constructor(options: EventRecorderOptions) {
    this.#options = options;
  }

  async event(
    object: KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
    annotations?: Record<string, string>,
  ): Promise<void> {
    try {
      await this.#record(object, type, reason, message, annotations);
    } catch (error) {
      this.#options.logger.warn(
        { reason, error: error instanceof Error ? error.message : String(error) },
        'could not record event',
      );
    }
  }

  async #record(
    object: KubernetesObject,
    type: EventType,
    reason: string,
    rawMessage: string,
    annotations: Record<string, string> | undefined,
  ): Promise<void> {
    const now = (this.#options.now ?? Date.now)();
    const meta = object.metadata ?? {};
    const objectId = `${object.kind}/${meta.namespace ?? ''}/${meta.name ?? ''}/${meta.uid ?? ''}`;
    if (!this.#takeToken(objectId, now)) {
      this.#options.logger.debug({ reason }, 'event dropped by the rate limit');
      return;
    }
    const { key, message } = this.#aggregate(
      `${objectId}/${type}/${reason}`,
      truncate(rawMessage),
      now,
    );
    const previous = this.#written.get(key);
    if (previous) {
      previous.count++;
      // A combined event takes the latest message, as client-go's aggregator does.
      const updated = await this.#options.sink.update(previous.namespace, previous.name, {
        count: previous.count,
        lastTimestamp: new Date(now),
        message,
      });
      if (updated) return;
    }
    const namespace = meta.namespace || 'default';
    // client-go names events <object>.<unix nanoseconds in hex>; a sequence keeps two events of
    // one millisecond apart.
    this.#sequence = (this.#sequence + 1) % 1_000_000;
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.#sequence);
    const name = `${meta.name ?? 'unknown'}.${nanos.toString(16)}`;
    const host = this.#options.host ?? hostname();
    const timestamp = new Date(now);
    await this.#options.sink.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, ...(annotations && { annotations }) },
      involvedObject: definedOnly({
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      }),
      type,
      reason,
      message,
      source: { component: this.#options.component, host },
      reportingComponent: this.#options.component,
      reportingInstance: host,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
    });
    if (this.#written.size >= CACHE_LIMIT) {
      const oldest = this.#written.keys().next();
      if (!oldest.done) this.#written.delete(oldest.value);
    }
    this.#written.set(key, { namespace, name, count: 1, firstTimestamp: timestamp });
  }

  #takeToken(objectId: string, now: number): boolean {
    const burst = this.#options.burst ?? 25;
    const refill = this.#options.refillIntervalMs ?? 300_000;
    const bucket = this.#buckets.get(objectId) ?? { tokens: burst, refilledAt: now };
    const earned = Math.floor((now - bucket.refilledAt) / refill);
    if (earned > 0) {
      bucket.tokens = Math.min(burst, bucket.tokens + earned);
      bucket.refilledAt += earned * refill;
    }
    this.#buckets.set(objectId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  }

  #aggregate(similarKey: string, message: string, now: number): { key: string; message: string } {
    let similar = this.#similar.get(similarKey);
    if (!similar || now - similar.since > AGGREGATE_WINDOW_MS) {
      similar = { messages: new Set(), since: now };
      this.#similar.set(similarKey, similar);
    }
    similar.messages.add(message);
    if (similar.messages.size <= AGGREGATE_MAX_MESSAGES) {
      return { key: `${similarKey}/${message}`, message };
    }
    return {
      key: `${similarKey}/(combined)`,
      message: `(combined from similar events): ${message}`,
    };
  }
}

function definedOnly(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH
    ? `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...`
    : message;
}

/** Writes core/v1 Events to the apiserver. */
export function apiserverEventSink(kubeConfig: KubeAccess): EventSink {
  const path = (namespace: string, name?: string) =>
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/events${name ? `/${encodeURIComponent(name)}` : ''}`;
  return {
    async create(event) {
      await kubeRequest(kubeConfig, {
        method: 'POST',
        path: path(event.metadata.namespace ?? 'default'),
        body: event,
      });
    },
    async update(namespace, name, patch) {
      try {
        await kubeRequest(kubeConfig, {
          method: 'PATCH',
          path: path(namespace, name),
          contentType: ContentType.mergePatch,
          body: patch,
        });
        return true;
      } catch (error) {
        // Events expire (an hour by default); start a new one then.
        if (isKubeApiError(error, 404)) return false;
        throw error;
      }
    },
  };
}
