import { describe, expect, it } from 'vitest';
import { ArtifactCache } from './artifact-cache.ts';
import type { ArtifactTree, FetchArtifactOptions } from './fetch-artifact.ts';

function artifact(digest: string) {
  return { url: 'http://source/a.tar.gz', digest, revision: `main@${digest}` };
}

function counting(size = 10) {
  const calls: string[] = [];
  const fetch = async (
    a: { digest: string; revision: string },
    _options: FetchArtifactOptions,
  ): Promise<ArtifactTree> => {
    calls.push(a.digest);
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (a.digest === 'sha256:bad') throw new Error('digest mismatch');
    return { revision: a.revision, files: new Map([['a.yaml', new Uint8Array(size)]]) };
  };
  return { calls, fetch };
}

const options = () => ({ signal: new AbortController().signal });

describe('ArtifactCache', () => {
  it('fetches an artifact once for concurrent and later readers of one digest', async () => {
    const { calls, fetch } = counting();
    const cache = new ArtifactCache(fetch);
    const trees = await Promise.all(
      Array.from({ length: 5 }, () => cache.fetch(artifact('sha256:1'), options())),
    );
    const later = await cache.fetch(artifact('sha256:1'), options());
    expect(calls).toEqual(['sha256:1']);
    expect(new Set([...trees, later]).size).toBe(1);
  });

  it('fetches again for a new digest and evicts the oldest tree beyond the budget', async () => {
    const { calls, fetch } = counting(10);
    const cache = new ArtifactCache(fetch, { maxBytes: 15 });
    await cache.fetch(artifact('sha256:1'), options());
    await cache.fetch(artifact('sha256:2'), options());
    await cache.fetch(artifact('sha256:2'), options());
    await cache.fetch(artifact('sha256:1'), options());
    expect(calls).toEqual(['sha256:1', 'sha256:2', 'sha256:1']);
  });

  it('does not keep a failed fetch', async () => {
    const { calls, fetch } = counting();
    const cache = new ArtifactCache(fetch);
    await expect(cache.fetch(artifact('sha256:bad'), options())).rejects.toThrow('mismatch');
    await expect(cache.fetch(artifact('sha256:bad'), options())).rejects.toThrow('mismatch');
    expect(calls).toEqual(['sha256:bad', 'sha256:bad']);
  });

  it('stops one caller on its own abort without failing the others', async () => {
    const { fetch } = counting();
    const cache = new ArtifactCache(fetch);
    const aborted = new AbortController();
    const first = cache.fetch(artifact('sha256:1'), { signal: aborted.signal });
    const second = cache.fetch(artifact('sha256:1'), options());
    aborted.abort(new Error('shutdown'));
    await expect(first).rejects.toThrow('shutdown');
    await expect(second).resolves.toMatchObject({ revision: 'main@sha256:1' });
  });
});
