import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeAccess } from './kube-connection.ts';
import { ContentType, isKubeApiError, kubeRequest } from './kube-request.ts';
import { type ObjectKey, objectPath, type ResourceType } from './resource.ts';

export interface ConflictRetryOptions {
  /** Attempts in all, the first included (client-go's DefaultRetry has 5). */
  readonly attempts?: number;
  /** Object already in hand (from the cache); read from the apiserver when absent. */
  readonly current?: KubernetesObject;
  readonly signal?: AbortSignal;
}

/** A status or finalizer write kept losing to other writers. */
export class ConflictError extends Error {
  constructor(what: string, key: ObjectKey, attempts: number) {
    super(`${what} of ${key.key}: still conflicting after ${attempts} attempts; will retry`);
    this.name = 'ConflictError';
  }
}

const CONFLICT_BACKOFF_MS = 10;

/**
 * Reads and writes one kind on the apiserver. Writes carry the resourceVersion they were
 * computed from, so a concurrent writer makes them fail with 409 Conflict instead of being
 * overwritten; they then re-read and recompute, like client-go's RetryOnConflict.
 */
export class ObjectClient<T extends KubernetesObject> {
  readonly #kubeConfig: KubeAccess;
  readonly #resource: ResourceType;

  constructor(kubeConfig: KubeAccess, resource: ResourceType) {
    this.#kubeConfig = kubeConfig;
    this.#resource = resource;
  }

  /** The object, or undefined when it does not exist. */
  async get(key: ObjectKey, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return await kubeRequest<T>(this.#kubeConfig, {
        method: 'GET',
        path: objectPath(this.#resource, key),
        ...(signal && { signal }),
      });
    } catch (error) {
      if (isKubeApiError(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * Writes status through the `/status` subresource as a JSON merge patch. `compute` gets the
   * latest object and returns the status fields to set (null removes one), or undefined when
   * nothing needs writing. On a conflict it is called again with a fresh read.
   * Resolves to the written object, or undefined when the object is gone.
   */
  async patchStatus(
    key: ObjectKey,
    compute: (latest: T) => Record<string, unknown> | undefined,
    options: ConflictRetryOptions = {},
  ): Promise<T | undefined> {
    return this.#retryOnConflict('status update', key, options, async (latest) => {
      const status = compute(latest);
      if (status === undefined) return latest;
      return kubeRequest<T>(this.#kubeConfig, {
        method: 'PATCH',
        path: objectPath(this.#resource, key, 'status'),
        contentType: ContentType.mergePatch,
        body: { metadata: { resourceVersion: latest.metadata?.resourceVersion }, status },
        ...(options.signal && { signal: options.signal }),
      });
    });
  }

  /** Adds `finalizer` unless present. Resolves to the object, or undefined when it is gone. */
  async addFinalizer(
    key: ObjectKey,
    finalizer: string,
    options: ConflictRetryOptions = {},
  ): Promise<T | undefined> {
    return this.#writeFinalizers(key, options, (list) =>
      list.includes(finalizer) ? undefined : [...list, finalizer],
    );
  }

  /** Removes `finalizer` if present; the apiserver deletes the object once none remain. */
  async removeFinalizer(
    key: ObjectKey,
    finalizer: string,
    options: ConflictRetryOptions = {},
  ): Promise<T | undefined> {
    return this.#writeFinalizers(key, options, (list) =>
      list.includes(finalizer) ? list.filter((f) => f !== finalizer) : undefined,
    );
  }

  async #writeFinalizers(
    key: ObjectKey,
    options: ConflictRetryOptions,
    change: (list: readonly string[]) => readonly string[] | undefined,
  ): Promise<T | undefined> {
    return this.#retryOnConflict('finalizer update', key, options, async (latest) => {
      const finalizers = change(latest.metadata?.finalizers ?? []);
      if (finalizers === undefined) return latest;
      return kubeRequest<T>(this.#kubeConfig, {
        method: 'PATCH',
        path: objectPath(this.#resource, key),
        contentType: ContentType.mergePatch,
        body: { metadata: { resourceVersion: latest.metadata?.resourceVersion, finalizers } },
        ...(options.signal && { signal: options.signal }),
      });
    });
  }

  async #retryOnConflict(
    what: string,
    key: ObjectKey,
    options: ConflictRetryOptions,
    write: (latest: T) => Promise<T>,
  ): Promise<T | undefined> {
    const attempts = options.attempts ?? 5;
    let latest = options.current as T | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      latest ??= await this.get(key, options.signal);
      if (!latest) return undefined;
      try {
        return await write(latest);
      } catch (error) {
        if (isKubeApiError(error, 404)) return undefined;
        if (!isKubeApiError(error, 409)) throw error;
        latest = undefined;
        const jitter = Math.random() * CONFLICT_BACKOFF_MS * 0.1;
        await new Promise((resolve) => setTimeout(resolve, CONFLICT_BACKOFF_MS + jitter));
      }
    }
    throw new ConflictError(what, key, attempts);
  }
}
