import type { ArtifactTree, FetchArtifactOptions } from './fetch-artifact.ts';

type Fetch = (
  artifact: { url: string; digest: string; revision: string },
  options: FetchArtifactOptions,
) => Promise<ArtifactTree>;

interface Entry {
  readonly tree: Promise<ArtifactTree>;
  bytes: number;
}

/**
 * One unpacked tree per artifact digest, shared by every Kustomization that reads it: a
 * hundred Kustomizations of one GitRepository download and unpack it once, and hold one copy
 * instead of one each. The tree is read-only to its users. The most recently used trees are
 * kept up to `maxBytes` of content; the digest in the key makes a stale hit impossible.
 */
export class ArtifactCache {
  readonly #fetch: Fetch;
  readonly #maxBytes: number;
  /** In use order: the last entry is the most recently used. */
  readonly #entries = new Map<string, Entry>();

  constructor(fetch: Fetch, options: { maxBytes?: number } = {}) {
    this.#fetch = fetch;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  /**
   * The tree of `artifact`. The download runs on its own timeout rather than the first
   * caller's signal, so that one run's cancellation fails no other; each caller still stops
   * waiting when its own signal aborts.
   */
  readonly fetch: Fetch = async (artifact, options) => {
    options.signal.throwIfAborted();
    const key = `${artifact.url}\n${artifact.digest}`;
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
    } else {
      entry = this.#start(key, artifact, options);
    }
    this.#entries.set(key, entry);
    return abortable(entry.tree, options.signal);
  };

  #start(
    key: string,
    artifact: { url: string; digest: string; revision: string },
    options: FetchArtifactOptions,
  ): Entry {
    const { signal: _caller, ...limits } = options;
    const tree = this.#fetch(artifact, {
      ...limits,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5 * 60_000),
    });
    const entry: Entry = { tree, bytes: 0 };
    tree.then(
      (done) => {
        for (const bytes of done.files.values()) entry.bytes += bytes.byteLength;
        this.#evict();
      },
      // A failed fetch is not kept: the next run tries again.
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry;
  }

  /** Drops the least recently used trees beyond the budget; the newest always stays. */
  #evict(): void {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.bytes;
    for (const [key, entry] of this.#entries) {
      if (total <= this.#maxBytes || this.#entries.size <= 1) break;
      total -= entry.bytes;
      this.#entries.delete(key);
    }
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
