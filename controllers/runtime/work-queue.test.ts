import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ProcessResult, WorkQueue } from './work-queue.ts';

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue', () => {
  it('runs a key added several times before a worker takes it only once', async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        runs.push(key);
        return undefined;
      },
    });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual(['a', 'b']);
  });

  it('never runs one key concurrently and reruns it once when added while running', async () => {
    const first = gate();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 4,
      process: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        if (runs === 1) await first.promise;
        active--;
        return undefined;
      },
    });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1);
    queue.add('a');
    queue.add('a');
    expect(queue.inFlight).toEqual(['a']);
    expect(queue.depth).toBe(0);
    first.open();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('runs different keys on up to N workers at once', async () => {
    const release = gate();
    let active = 0;
    let maxActive = 0;
    const queue = new WorkQueue({
      concurrency: 3,
      process: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await release.promise;
        active--;
        return undefined;
      },
    });
    queue.start();
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.inFlight).toHaveLength(3);
    expect(queue.depth).toBe(2);
    release.open();
    await vi.advanceTimersByTimeAsync(1);
    expect(maxActive).toBe(3);
    expect(queue.inFlight).toHaveLength(0);
  });

  it('requeues after the interval the reconcile asked for, with jitter inside the bound', async () => {
    const times: number[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      jitter: 0.1,
      random: () => 1,
      process: async (): Promise<ProcessResult> => {
        times.push(Date.now());
        return { requeueAfter: 10_000 };
      },
    });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toHaveLength(1);
    // random() = 1 is the top of the jitter range: 10 s + 10 %.
    await vi.advanceTimersByTimeAsync(10_998);
    expect(times).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(11_000);
  });

  it('an add overrides a pending timer so the key runs at once', async () => {
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      process: async () => {
        runs++;
        return { requeueAfter: 60_000 };
      },
    });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.delayedKeys).toEqual(['a']);
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
  });

  it('addAfter keeps the earlier of two timers', async () => {
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      process: async () => {
        runs++;
        return undefined;
      },
    });
    queue.start();
    queue.addAfter('a', 1_000);
    queue.addAfter('a', 5_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(1);
  });

  it('backs off exponentially per key on errors and resets after a success', async () => {
    const times: number[] = [];
    let failUntil = 4;
    const queue = new WorkQueue({
      concurrency: 1,
      minRetryDelayMs: 100,
      maxRetryDelayMs: 1_000,
      process: async () => {
        times.push(Date.now());
        if (times.length < failUntil) throw new Error('boom');
        return undefined;
      },
    });
    queue.start();
    const start = Date.now();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times.map((t) => t - start)).toEqual([0, 100, 300, 700]);
    expect(queue.failuresOf('a')).toBe(0);

    // After the success the next failure starts again at the minimum delay.
    failUntil = 6;
    const again = Date.now();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times.slice(4).map((t) => t - again)).toEqual([0, 100]);
  });

  it.each([
    { name: 'first failure waits the minimum', failures: 1, want: 750 },
    { name: 'fourth failure waits 8x the minimum', failures: 4, want: 6_000 },
    { name: 'many failures are capped at the maximum', failures: 60, want: 15 * 60_000 },
  ])('$name', ({ failures, want }) => {
    const queue = new WorkQueue({ concurrency: 1, process: async () => undefined });
    expect(queue.retryDelay(failures)).toBe(want);
  });

  it('shutdown lets in-flight work finish and takes no new keys', async () => {
    const release = gate();
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        runs.push(key);
        await release.promise;
        return { requeueAfter: 1_000 };
      },
    });
    queue.start();
    queue.add('a');
    queue.add('b');
    await vi.advanceTimersByTimeAsync(1);
    const done = queue.shutdown(5_000);
    queue.add('c');
    await vi.advanceTimersByTimeAsync(100);
    release.open();
    const result = await done;
    expect(result).toEqual({ drained: true, abandoned: [] });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual(['a']);
  });

  it('shutdown gives up after the timeout and aborts what still runs', async () => {
    let aborted = false;
    const queue = new WorkQueue({
      concurrency: 1,
      process: (_key, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(undefined);
          });
        }),
    });
    queue.start();
    queue.add('stuck');
    await vi.advanceTimersByTimeAsync(1);
    const done = queue.shutdown(2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await done).toEqual({ drained: false, abandoned: ['stuck'] });
    expect(aborted).toBe(true);
  });

  it('does not retry a key forgotten while it ran and failed', async () => {
    const release = gate();
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      minRetryDelayMs: 100,
      process: async () => {
        runs++;
        await release.promise;
        throw new Error('failed');
      },
    });
    queue.start();
    queue.add('gone');
    await vi.advanceTimersByTimeAsync(1);
    queue.forget('gone');
    release.open();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    expect(queue.delayedKeys).toEqual([]);
    expect(queue.failuresOf('gone')).toBe(0);
  });

  it('counts only the adds that queue or mark a key, not duplicates', async () => {
    const release = gate();
    let adds = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      process: async () => {
        await release.promise;
        return undefined;
      },
      observer: { added: () => adds++ },
    });
    queue.add('a');
    queue.add('a');
    queue.start();
    await vi.advanceTimersByTimeAsync(1);
    queue.add('a');
    queue.add('a');
    expect(adds).toBe(2);
    release.open();
    await queue.shutdown(10);
  });

  it('reports depth, waits and failures to its observer', async () => {
    const depths: number[] = [];
    const failed: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        if (key === 'bad') throw new Error('nope');
        return undefined;
      },
      observer: {
        depth: (d) => depths.push(d),
        failed: (key) => failed.push(key),
      },
    });
    queue.add('ok');
    queue.add('bad');
    queue.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(depths.slice(0, 2)).toEqual([1, 2]);
    expect(depths.at(-1)).toBe(0);
    expect(failed).toEqual(['bad']);
    await queue.shutdown(10);
  });

  it('refuses a concurrency below one', () => {
    expect(() => new WorkQueue({ concurrency: 0, process: async () => undefined })).toThrow(
      /positive integer/,
    );
  });
});
