import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeAccess } from './kube-connection.ts';
import { kubeRequest } from './kube-request.ts';
import { ApiWatch, type WatchSource } from './kube-watch.ts';
import { collectionPath, type ResourceType } from './resource.ts';

export interface WatchHandler<T extends KubernetesObject> {
  /** Added, changed, or seen again on a relist. */
  upsert(object: T): void;
  /** Gone from the apiserver (a watch DELETED event, or missing from a relist). */
  remove(object: T): void;
}

export interface ResourceWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeAccess;
  readonly resource: ResourceType;
  /** Watch one namespace only; all namespaces when undefined. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly handler: WatchHandler<T>;
  readonly logger: Logger;
  /** Injected by tests to feed lists and watch events without an apiserver. */
  readonly watch?: WatchSource;
  readonly list?: () => Promise<KubernetesListObject<T>>;
  readonly minRestartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  readonly onRestart?: (error: unknown) => void;
}

/**
 * A list+watch cache of one resource, as client-go's reflector: list, then watch from the
 * list's resourceVersion; relist when the apiserver answers that this version is too old
 * (410 Gone); re-watch from the last resourceVersion when the server ends a watch. Any other
 * failure (a cut connection, a refused dial, a 5xx on the list) restarts it with exponential
 * backoff, re-watching from the last resourceVersion.
 */
export class ResourceWatch<T extends KubernetesObject> {
  readonly #options: ResourceWatchOptions<T>;
  readonly #path: string;
  readonly #source: WatchSource;
  readonly #objects = new Map<string, Map<string, T>>();
  #resourceVersion = '';
  #request: { abort(): void } | undefined;
  #stopped = true;
  #synced = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartDelayMs = 0;
  #restarts = 0;

  constructor(options: ResourceWatchOptions<T>) {
    this.#options = options;
    this.#path = collectionPath(options.resource, options.namespace);
    this.#source = options.watch ?? new ApiWatch(options.kubeConfig);
  }

  /** True once a first list has been delivered: the cache holds every object. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** How many times the watch was restarted after a failure. */
  get restarts(): number {
    return this.#restarts;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#objects.get(namespace)?.get(name);
  }

  list(namespace?: string): readonly T[] {
    if (namespace) return [...(this.#objects.get(namespace)?.values() ?? [])];
    return [...this.#objects.values()].flatMap((byName) => [...byName.values()]);
  }

  /** Lists and starts watching; resolves after the first attempt, restarting on its own after. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#request?.abort();
    this.#request = undefined;
  }

  async #list(): Promise<KubernetesListObject<T>> {
    const o = this.#options;
    const result = o.list
      ? await o.list()
      : await kubeRequest<KubernetesListObject<T>>(o.kubeConfig, {
          method: 'GET',
          path: this.#path,
          query: { labelSelector: o.labelSelector },
        });
    this.#restartDelayMs = 0;
    return result;
  }

  /** Lists when there is no resourceVersion to go on from, then opens a watch. */
  async #connect(): Promise<void> {
    if (this.#stopped) return;
    if (this.#resourceVersion === '') {
      let list: KubernetesListObject<T>;
      try {
        list = await this.#list();
      } catch (error) {
        this.#onError(error);
        return;
      }
      this.#replace(list.items ?? []);
      this.#synced = true;
      this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    }
    if (this.#stopped) return;
    const startedAt = Date.now();
    const request = await this.#source.watch(
      this.#path,
      { resourceVersion: this.#resourceVersion, labelSelector: this.#options.labelSelector },
      (type, object) => this.#onWatchEvent(type, object as T),
      (error) => {
        if (this.#request === request) this.#request = undefined;
        this.#onWatchDone(error, Date.now() - startedAt);
      },
    );
    if (this.#stopped) request.abort();
    else this.#request = request;
  }

  #onWatchDone(error: unknown, lastedMs: number): void {
    if (this.#stopped) return;
    const status = (error as { statusCode?: unknown; code?: unknown } | null) ?? {};
    if (status.statusCode === 410 || status.code === 410) {
      this.#resourceVersion = '';
    } else if (error) {
      this.#onError(error);
      return;
    }
    // A watch the server ended at once would otherwise spin; a relist is never delayed.
    const delay = this.#resourceVersion !== '' && lastedMs < 1_000 ? 1_000 : 0;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#connect().catch((connectError: unknown) => this.#onError(connectError));
    }, delay);
  }

  #onWatchEvent(type: string, object: T): void {
    if (type === 'ERROR') {
      // The apiserver says the resourceVersion is too old and closes the watch: relist then.
      if ((object as { code?: unknown }).code === 410) this.#resourceVersion = '';
      return;
    }
    if (type === 'ADDED' || type === 'MODIFIED') this.#upsert(object);
    else if (type === 'DELETED') this.#remove(object);
    this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
  }

  /** A relist: objects missing from it were deleted meanwhile. */
  #replace(items: readonly T[]): void {
    const listed = new Set(items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`));
    for (const byName of this.#objects.values()) {
      for (const object of byName.values()) {
        const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
        if (!listed.has(key)) this.#remove(object);
      }
    }
    for (const object of items) this.#upsert(object);
  }

  #upsert(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    let byName = this.#objects.get(namespace);
    if (!byName) {
      byName = new Map();
      this.#objects.set(namespace, byName);
    }
    const found = byName.get(name);
    const version = object.metadata?.resourceVersion;
    if (found && version !== undefined && found.metadata?.resourceVersion === version) return;
    byName.set(name, object);
    this.#onEvent(() => this.#options.handler.upsert(object));
  }

  #remove(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const byName = this.#objects.get(namespace);
    const found = byName?.get(object.metadata?.name ?? '');
    if (!byName || !found) return;
    byName.delete(object.metadata?.name ?? '');
    if (byName.size === 0) this.#objects.delete(namespace);
    this.#onEvent(() => this.#options.handler.remove(found));
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
      this.#connect().catch((startError: unknown) => this.#onError(startError));
    }, this.#restartDelayMs);
  }
}
