import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { reconcileTrigger } from './event-filter.ts';
import type { KubeAccess } from './kube-connection.ts';
import type { WatchSource } from './kube-watch.ts';
import { objectLogger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { keyOfObject, type ObjectKey, parseObjectKey, type ResourceType } from './resource.ts';
import { ResourceWatch, type WatchHandler } from './resource-watch.ts';
import { type ProcessResult, type ShutdownResult, WorkQueue } from './work-queue.ts';

export interface ReconcileRequest<T extends KubernetesObject> {
  readonly key: ObjectKey;
  /** The object as the watch cache last saw it (possibly without our own latest status write). */
  readonly object: T;
  /** Aborted when shutdown gives up waiting for this run. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * One reconcile of one object: resolve with `{ requeueAfter }` to run again later (the
 * interval), with nothing to wait for the next change, or throw to retry with backoff.
 * It is not called for an object that is gone; cleanup runs while the deletion is pending,
 * behind a finalizer.
 */
export type ReconcileFunction<T extends KubernetesObject> = (
  request: ReconcileRequest<T>,
) => Promise<ProcessResult | undefined>;

/** Another resource whose changes queue objects of ours (a Kustomization's GitRepository). */
export interface SecondaryWatch {
  readonly resource: ResourceType;
  map(object: KubernetesObject): readonly ObjectKey[];
  /**
   * What about the other object matters, e.g. its `status.artifact.revision`: updates that
   * leave it unchanged queue nothing. Every update counts when absent.
   */
  trigger?(object: KubernetesObject): string;
}

export interface ControllerOptions<T extends KubernetesObject> {
  /** The controller's name in metrics and logs, e.g. `gitrepository`. */
  readonly name: string;
  readonly resource: ResourceType;
  readonly kubeConfig: KubeAccess;
  readonly reconcile: ReconcileFunction<T>;
  readonly logger: Logger;
  readonly metrics?: RuntimeMetrics;
  readonly concurrency?: number;
  readonly minRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Fraction of jitter on interval requeues (Flux's `--interval-jitter-percentage` / 100). */
  readonly jitter?: number;
  /** Watch one namespace only (Flux's `--watch-all-namespaces=false`). */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly watches?: readonly SecondaryWatch[];
  /**
   * Whether an object asks not to be reconciled; default `spec.suspend === true`, as in every
   * Flux kind. A suspended object is still handled while it is being deleted, so its finalizer
   * can run.
   */
  readonly isSuspended?: (object: T) => boolean;
  /** Unit tests feed lists and watch events through these instead of an apiserver. */
  readonly testHooks?: {
    readonly watch: () => WatchSource;
    readonly list: (
      resource: ResourceType,
    ) => () => Promise<KubernetesListObject<KubernetesObject>>;
  };
}

function hasSuspendSet(object: KubernetesObject): boolean {
  return (object as { spec?: { suspend?: unknown } }).spec?.suspend === true;
}

/** Ties a watch, a work queue and a reconcile function together for one kind. */
export class Controller<T extends KubernetesObject> {
  readonly name: string;
  readonly resource: ResourceType;
  readonly #options: ControllerOptions<T>;
  readonly #queue: WorkQueue;
  readonly #watch: ResourceWatch<T>;
  readonly #secondary: ResourceWatch<KubernetesObject>[];
  /** Last trigger seen per key, to tell spec changes and requests from status-only updates. */
  readonly #triggers = new Map<string, string>();

  constructor(options: ControllerOptions<T>) {
    this.name = options.name;
    this.resource = options.resource;
    this.#options = options;
    const logger = options.logger;
    const concurrency = options.concurrency ?? 4;
    options.metrics?.setMaxConcurrent(options.name, concurrency);
    this.#queue = new WorkQueue({
      concurrency,
      process: (key, signal) => this.#process(key, signal),
      ...(options.minRetryDelayMs !== undefined && { minRetryDelayMs: options.minRetryDelayMs }),
      ...(options.maxRetryDelayMs !== undefined && { maxRetryDelayMs: options.maxRetryDelayMs }),
      jitter: options.jitter ?? 0.05,
      ...(options.metrics && { observer: options.metrics.queueObserver(options.name) }),
    });
    const watchOptions = (resource: ResourceType) => ({
      kubeConfig: options.kubeConfig,
      resource,
      namespace: options.namespace,
      logger,
      onRestart: () => options.metrics?.watchRestarted(resource.plural),
      ...(options.testHooks && {
        watch: options.testHooks.watch(),
        list: options.testHooks.list(resource) as () => Promise<KubernetesListObject<never>>,
      }),
    });
    // A secondary watch of our own resource (dependsOn) shares the primary's list and cache.
    const isOwnResource = (resource: ResourceType) =>
      options.labelSelector === undefined &&
      resource.group === options.resource.group &&
      resource.plural === options.resource.plural;
    const shared = (options.watches ?? [])
      .filter((secondary) => isOwnResource(secondary.resource))
      .map((secondary) => this.#secondaryHandler(secondary, () => this.#watch.hasSynced));
    this.#watch = new ResourceWatch<T>({
      ...watchOptions(options.resource),
      labelSelector: options.labelSelector,
      handler: {
        upsert: (object) => {
          this.#upsert(object);
          for (const handler of shared) handler.upsert(object);
        },
        remove: (object) => {
          this.#remove(object);
          for (const handler of shared) handler.remove(object);
        },
      },
    });
    this.#secondary = (options.watches ?? [])
      .filter((secondary) => !isOwnResource(secondary.resource))
      .map((secondary) => {
        const watch: ResourceWatch<KubernetesObject> = new ResourceWatch<KubernetesObject>({
          ...watchOptions(secondary.resource),
          handler: this.#secondaryHandler(secondary, () => watch.hasSynced),
        });
        return watch;
      });
  }

  /**
   * Queues what a secondary watch maps a relevant change to. Its first list queues nothing:
   * the primary's first list queues every object anyway, and objects already running would
   * run a second time for nothing.
   */
  #secondaryHandler(
    secondary: SecondaryWatch,
    hasSynced: () => boolean,
  ): WatchHandler<KubernetesObject> {
    const seen = new Map<string, string>();
    return {
      upsert: (object) => {
        if (secondary.trigger) {
          const { key } = keyOfObject(object);
          const trigger = secondary.trigger(object);
          if (seen.get(key) === trigger) return;
          seen.set(key, trigger);
        }
        if (hasSynced()) this.#enqueueAll(secondary.map(object));
      },
      remove: (object) => {
        seen.delete(keyOfObject(object).key);
        this.#enqueueAll(secondary.map(object));
      },
    };
  }

  /** True once every watch of this controller has listed its objects. */
  get hasSynced(): boolean {
    return this.#watch.hasSynced && this.#secondary.every((watch) => watch.hasSynced);
  }

  get queue(): WorkQueue {
    return this.#queue;
  }

  get watchRestarts(): number {
    return this.#watch.restarts;
  }

  /** The cached object, as the watch last saw it. */
  get(namespace: string, name: string): T | undefined {
    return this.#watch.get(namespace, name);
  }

  list(namespace?: string): readonly T[] {
    return this.#watch.list(namespace);
  }

  /** Queues a reconcile now (another controller saw something this object depends on). */
  enqueue(key: ObjectKey): void {
    this.#queue.add(key.key);
  }

  async start(): Promise<void> {
    this.#queue.start();
    await Promise.all([this.#watch.start(), ...this.#secondary.map((watch) => watch.start())]);
  }

  /** Stops the watches, then lets in-flight reconciles finish within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<ShutdownResult> {
    await Promise.all([this.#watch.stop(), ...this.#secondary.map((watch) => watch.stop())]);
    return this.#queue.shutdown(timeoutMs);
  }

  #upsert(object: T): void {
    const key = keyOfObject(object);
    this.#recordConditions(object, key);
    const trigger = reconcileTrigger(object);
    if (this.#triggers.get(key.key) === trigger) return;
    this.#triggers.set(key.key, trigger);
    this.#queue.add(key.key);
  }

  #remove(object: T): void {
    const key = keyOfObject(object);
    this.#triggers.delete(key.key);
    this.#queue.forget(key.key);
    this.#options.metrics?.forgetObject({ kind: this.resource.kind, ...key });
  }

  #enqueueAll(keys: readonly ObjectKey[]): void {
    for (const key of keys) this.#queue.add(key.key);
  }

  #recordConditions(object: T, key: ObjectKey): void {
    const metrics = this.#options.metrics;
    if (!metrics) return;
    const record = object as { status?: { conditions?: unknown }; spec?: { suspend?: unknown } };
    const conditions = Array.isArray(record.status?.conditions) ? record.status.conditions : [];
    metrics.recordConditions(
      { kind: this.resource.kind, ...key },
      conditions,
      record.spec?.suspend === true,
    );
  }

  async #process(rawKey: string, signal: AbortSignal): Promise<ProcessResult | undefined> {
    const key = parseObjectKey(rawKey);
    const object = this.#watch.get(key.namespace, key.name);
    if (!object) return undefined;
    const metrics = this.#options.metrics;
    const logger = objectLogger(this.#options.logger, this.resource.kind, key.namespace, key.name);
    const isSuspended = this.#options.isSuspended ?? hasSuspendSet;
    if (isSuspended(object) && !object.metadata?.deletionTimestamp) {
      logger.info('Reconciliation is suspended for this object');
      return undefined;
    }
    const started = performance.now();
    metrics?.workerStarted(this.name);
    try {
      const result = await this.#options.reconcile({ key, object, signal, logger });
      const seconds = (performance.now() - started) / 1000;
      const label = result?.requeueAfter ? 'requeue_after' : 'success';
      metrics?.recordReconcile(this.name, { kind: this.resource.kind, ...key }, seconds, label);
      return result;
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      metrics?.recordReconcile(this.name, { kind: this.resource.kind, ...key }, seconds, 'error');
      logger.error(
        { error: error instanceof Error ? error.message : String(error) },
        'Reconciler error',
      );
      throw error;
    } finally {
      metrics?.workerFinished(this.name);
    }
  }
}
