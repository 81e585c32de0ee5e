import { createInterface } from 'node:readline';
import { type KubeAccess, kubeConnection } from './kube-connection.ts';

/**
 * Opens one watch request. `emit` gets each event's type and object; `done` is called once,
 * with null when the apiserver ended the watch and with the error otherwise (an HTTP error
 * carries `statusCode`). Abort the returned handle to stop.
 */
export interface WatchSource {
  watch(
    path: string,
    params: Record<string, string | undefined>,
    emit: (type: string, object: unknown) => void,
    done: (error: unknown) => void,
  ): Promise<{ abort(): void }>;
}

/** A watch that went quiet for this long (no event, no bookmark) is presumed dead. */
const idleTimeoutMs = 90_000;

/** An apiserver answer other than 200 to a watch request. */
export class WatchHttpError extends Error {
  readonly statusCode: number;

  constructor(path: string, statusCode: number, message: string) {
    super(`watch ${path}: ${statusCode} ${message}`);
    this.name = 'WatchHttpError';
    this.statusCode = statusCode;
  }
}

/**
 * Watches over the controller's own connection, newline-delimited JSON events as the
 * apiserver streams them. Bookmarks are asked for, so that a quiet resource still moves the
 * resourceVersion on; the server ends each watch after 5–10 minutes, as client-go asks.
 */
export class ApiWatch implements WatchSource {
  readonly #kube: KubeAccess;

  constructor(kube: KubeAccess) {
    this.#kube = kube;
  }

  async watch(
    path: string,
    params: Record<string, string | undefined>,
    emit: (type: string, object: unknown) => void,
    done: (error: unknown) => void,
  ): Promise<{ abort(): void }> {
    const controller = new AbortController();
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      controller.abort();
      done(error);
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new Error(`watch ${path}: no event for 90s`)), idleTimeoutMs);
      timer.unref();
    };
    const timeoutSeconds = String(300 + Math.floor(Math.random() * 300));
    try {
      idle();
      const response = await kubeConnection(this.#kube).open({
        method: 'GET',
        path,
        query: { ...params, watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds },
        signal: controller.signal,
        stream: true,
      });
      if (response.statusCode !== 200) {
        response.resume();
        throw new WatchHttpError(path, response.statusCode ?? 0, response.statusMessage ?? '');
      }
      response.on('data', idle);
      response.on('error', finish);
      response.on('close', () => finish(null));
      const lines = createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY });
      // readline re-emits its input's errors (a cut connection): unheard, they would crash.
      lines.on('error', finish);
      lines.on('line', (line) => {
        if (finished || line === '') return;
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          return;
        }
        if (typeof event.type === 'string') emit(event.type, event.object);
      });
    } catch (error) {
      finish(error);
    }
    return controller;
  }
}
