import {
  ADD,
  DELETE,
  ERROR,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  UPDATE,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { kubeRequest } from './kube-request.ts';
import { collectionPath, type ResourceType } from './resource.ts';

export interface WatchHandler<T extends KubernetesObject> {
  /** Added, changed, or seen again on a relist. */
  upsert(object: T): void;
  /** Gone from the apiserver (a watch DELETED event, or missing from a relist). */
  remove(object: T): void;
}

export interface ResourceWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  readonly resource: ResourceType;
  /** Watch one namespace only; all namespaces when undefined. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly handler: WatchHandler<T>;
  readonly logger: Logger;
  /** Injected by tests to feed lists and watch events without an apiserver. */
  readonly watch?: Watch;
  readonly list?: () => Promise<KubernetesListObject<T>>;
  readonly minRestartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  readonly onRestart?: (error: unknown) => void;
}

/**
 * A list+watch cache of one resource over client-node's ListWatch, made to survive what
 * ListWatch alone does not: it relists by itself on `410 Gone`, but any other failure (a cut
 * connection, a refused dial, a 5xx on the list) stops it for good. We restart it with
 * exponential backoff; a restart first re-watches from the last resourceVersion, and falls
 * back to a relist when the apiserver answers that this version is too old.
 */
export class ResourceWatch<T extends KubernetesObject> {
  readonly #options: ResourceWatchOptions<T>;
  readonly #informer: ListWatch<T>;
  #stopped = true;
  #synced = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartDelayMs = 0;
  #restarts = 0;

  constructor(options: ResourceWatchOptions<T>) {
    this.#options = options;
    const path = collectionPath(options.resource, options.namespace);
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = options.list
        ? await options.list()
        : await kubeRequest<KubernetesListObject<T>>(options.kubeConfig, {
            method: 'GET',
            path,
            query: { labelSelector: options.labelSelector },
          });
      this.#synced = true;
      this.#restartDelayMs = 0;
      return result;
    };
    const watch = options.watch ?? new Watch(options.kubeConfig);
    this.#informer = new ListWatch<T>(path, watch, list, false, options.labelSelector);
    this.#informer.on(ADD, (object) => this.#onEvent(() => options.handler.upsert(object)));
    this.#informer.on(UPDATE, (object) => this.#onEvent(() => options.handler.upsert(object)));
    this.#informer.on(DELETE, (object) => this.#onEvent(() => options.handler.remove(object)));
    this.#informer.on(ERROR, (error) => this.#onError(error));
  }

  /** True once a first list has succeeded: the cache holds every object. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** How many times the watch was restarted after a failure. */
  get restarts(): number {
    return this.#restarts;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#informer.get(name, namespace || undefined);
  }

  list(namespace?: string): readonly T[] {
    return this.#informer.list(namespace);
  }

  /** Lists and starts watching; resolves after the first attempt, restarting on its own after. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    await this.#informer.stop();
  }

  #onEvent(deliver: () => void): void {
    this.#restartDelayMs = 0;
    try {
      deliver();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'watch handler failed');
    }
  }

  #onError(error: unknown): void {
    // Stopping aborts the request, which ListWatch reports as an error too.
    if (this.#stopped || this.#restartTimer) return;
    const min = this.#options.minRestartDelayMs ?? 500;
    const max = this.#options.maxRestartDelayMs ?? 30_000;
    this.#restartDelayMs = Math.min(this.#restartDelayMs > 0 ? this.#restartDelayMs * 2 : min, max);
    this.#restarts++;
    this.#options.onRestart?.(error);
    this.#options.logger.warn(
      {
        resource: this.#options.resource.plural,
        error: error instanceof Error ? error.message : String(error),
        retryInMs: this.#restartDelayMs,
      },
      'watch failed; restarting',
    );
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopped) return;
      this.#informer.start().catch((startError: unknown) => this.#onError(startError));
    }, this.#restartDelayMs);
  }
}
