/** What one run of a key asks of the queue: run again after `requeueAfter` ms, or wait for events. */
export interface ProcessResult {
  readonly requeueAfter?: number;
}

export type ProcessKey = (key: string, signal: AbortSignal) => Promise<ProcessResult | undefined>;

/** Hooks the metrics module plugs in; the queue itself knows nothing of Prometheus. */
export interface QueueObserver {
  depth?(depth: number): void;
  added?(key: string): void;
  retried?(key: string, delayMs: number): void;
  /** Seconds a key waited in the queue before a worker took it. */
  waited?(seconds: number): void;
  /** Seconds a worker spent on a key, whatever the outcome. */
  worked?(seconds: number): void;
  failed?(key: string, error: unknown): void;
}

export interface WorkQueueOptions {
  readonly process: ProcessKey;
  /** Workers running keys at the same time (Flux's `--concurrent`). */
  readonly concurrency: number;
  /** Per-key exponential backoff after errors, as Flux's `--min-retry-delay`/`--max-retry-delay`. */
  readonly minRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Fraction of a requested requeue added or taken at random, so intervals spread out. */
  readonly jitter?: number;
  readonly random?: () => number;
  readonly observer?: QueueObserver;
}

export interface ShutdownResult {
  /** True when every in-flight key finished before the timeout. */
  readonly drained: boolean;
  /** Keys still running when the timeout passed; their signal was aborted. */
  readonly abandoned: readonly string[];
}

const DEFAULT_MIN_RETRY_MS = 750;
const DEFAULT_MAX_RETRY_MS = 15 * 60_000;

/**
 * A de-duplicating work queue with a worker pool, like client-go's rate-limited workqueue:
 * a key is queued at most once, never runs twice at the same time (an add while it runs marks
 * it dirty and it runs again afterwards), failures back off exponentially per key, and
 * successes reset that backoff.
 */
export class WorkQueue {
  readonly #options: WorkQueueOptions;
  /** Keys waiting for a worker, in arrival order, with the time they were queued. */
  readonly #queued = new Map<string, number>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #dirty = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  /** Keys forgotten while running: their run's outcome must not queue them again. */
  readonly #forgotten = new Set<string>();
  readonly #abort = new AbortController();
  #started = false;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(
        `work queue concurrency must be a positive integer, got ${options.concurrency}`,
      );
    }
    this.#options = options;
  }

  get depth(): number {
    return this.#queued.size;
  }

  get inFlight(): readonly string[] {
    return [...this.#running.keys()];
  }

  /** Keys that wait for a timer (interval requeue or backoff). */
  get delayedKeys(): readonly string[] {
    return [...this.#delayed.keys()];
  }

  failuresOf(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  start(): void {
    this.#started = true;
    this.#pump();
  }

  /** Queues `key` now. A pending timer for it is dropped: the key runs now instead. */
  add(key: string): void {
    if (this.#shuttingDown) return;
    this.#clearDelay(key);
    this.#forgotten.delete(key);
    if (this.#queued.has(key)) return;
    if (this.#running.has(key)) {
      if (!this.#dirty.has(key)) this.#options.observer?.added?.(key);
      this.#dirty.add(key);
      return;
    }
    this.#options.observer?.added?.(key);
    this.#queued.set(key, performance.now());
    this.#options.observer?.depth?.(this.#queued.size);
    this.#pump();
  }

  /** Queues `key` after `ms`; an earlier timer already set for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    const at = Date.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.#delayed.set(key, { at, timer });
  }

  /** Forgets a key entirely (the object was deleted): no timer, no backoff history. */
  forget(key: string): void {
    this.#clearDelay(key);
    this.#failures.delete(key);
    this.#queued.delete(key);
    this.#dirty.delete(key);
    if (this.#running.has(key)) this.#forgotten.add(key);
    this.#options.observer?.depth?.(this.#queued.size);
  }

  /** Delay before the next retry of a key that failed `failures` times in a row (1-based). */
  retryDelay(failures: number): number {
    const min = this.#options.minRetryDelayMs ?? DEFAULT_MIN_RETRY_MS;
    const max = this.#options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_MS;
    const exponent = Math.min(Math.max(failures - 1, 0), 40);
    return Math.min(min * 2 ** exponent, max);
  }

  /**
   * Stops taking keys and drops pending timers; in-flight keys get up to `timeoutMs` to finish,
   * then their abort signal fires and shutdown returns without waiting further.
   */
  async shutdown(timeoutMs: number): Promise<ShutdownResult> {
    this.#shuttingDown = true;
    for (const key of [...this.#delayed.keys()]) this.#clearDelay(key);
    this.#queued.clear();
    this.#dirty.clear();
    this.#options.observer?.depth?.(0);
    const inFlight = [...this.#running.values()];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([
      Promise.all(inFlight).then(() => 'drained' as const),
      timedOut,
    ]);
    clearTimeout(timer);
    const abandoned = [...this.#running.keys()];
    this.#abort.abort(new Error('work queue shut down'));
    return { drained: outcome === 'drained', abandoned };
  }

  #clearDelay(key: string): void {
    const delayed = this.#delayed.get(key);
    if (!delayed) return;
    clearTimeout(delayed.timer);
    this.#delayed.delete(key);
  }

  #pump(): void {
    if (!this.#started || this.#shuttingDown) return;
    while (this.#running.size < this.#options.concurrency) {
      const next = this.#queued.entries().next();
      if (next.done) return;
      const [key, queuedAt] = next.value;
      this.#queued.delete(key);
      this.#options.observer?.depth?.(this.#queued.size);
      this.#options.observer?.waited?.((performance.now() - queuedAt) / 1000);
      const run = this.#run(key).finally(() => {
        this.#running.delete(key);
        if (this.#dirty.delete(key)) this.add(key);
        this.#pump();
      });
      this.#running.set(key, run);
    }
  }

  async #run(key: string): Promise<void> {
    const started = performance.now();
    try {
      const result = await this.#options.process(key, this.#abort.signal);
      this.#failures.delete(key);
      if (this.#forgotten.delete(key)) return;
      const after = result?.requeueAfter;
      if (after !== undefined && after > 0) this.addAfter(key, this.#jittered(after));
    } catch (error) {
      this.#options.observer?.failed?.(key, error);
      if (this.#forgotten.delete(key)) return;
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      const delay = this.retryDelay(failures);
      this.#options.observer?.retried?.(key, delay);
      this.addAfter(key, delay);
    } finally {
      this.#options.observer?.worked?.((performance.now() - started) / 1000);
    }
  }

  #jittered(ms: number): number {
    const jitter = this.#options.jitter ?? 0;
    if (jitter <= 0) return ms;
    const random = this.#options.random ?? Math.random;
    return Math.max(1, Math.round(ms * (1 + jitter * (2 * random() - 1))));
  }
}
