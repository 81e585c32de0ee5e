import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchArtifact } from './fetch-artifact.ts';

let server: Server;
let base = '';
let archive: Buffer;
let digest = '';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fetch-artifact-'));
  mkdirSync(join(dir, 'src', 'apps'), { recursive: true });
  writeFileSync(join(dir, 'src', 'apps', 'cm.yaml'), 'kind: ConfigMap\n');
  await create({ gzip: true, file: join(dir, 'a.tar.gz'), cwd: join(dir, 'src') }, ['apps']);
  archive = readFileSync(join(dir, 'a.tar.gz'));
  digest = `sha256:${createHash('sha256').update(archive).digest('hex')}`;
  server = createServer((req, res) => {
    if (req.url === '/a.tar.gz') return res.end(archive);
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/a.tar.gz' });
      return res.end();
    }
    res.writeHead(404, 'Not Found');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const options = () => ({ signal: new AbortController().signal });

describe('fetchArtifact', () => {
  it('downloads, checks the digest and unpacks, following a redirect', async () => {
    const tree = await fetchArtifact(
      { url: `${base}/moved`, digest, revision: 'main@sha1:1' },
      options(),
    );
    expect(tree.revision).toBe('main@sha1:1');
    expect(new TextDecoder().decode(tree.files.get('apps/cm.yaml'))).toBe('kind: ConfigMap\n');
  });

  it.each([
    {
      name: 'a digest mismatch is an ArtifactFailed naming both digests',
      input: { path: '/a.tar.gz', digest: `sha256:${'0'.repeat(64)}`, maxBytes: undefined },
      want: /computed digest sha256:[0-9a-f]{64} does not match sha256:0{64}/,
    },
    {
      name: 'an HTTP error names the status',
      input: { path: '/absent', digest: `sha256:${'0'.repeat(64)}`, maxBytes: undefined },
      want: /HTTP 404 Not Found/,
    },
    {
      name: 'an artifact over the size limit is refused',
      input: { path: '/a.tar.gz', digest: `sha256:${'0'.repeat(64)}`, maxBytes: 10 },
      want: /larger than the 10 bytes allowed/,
    },
  ])('$name', async ({ input, want }) => {
    const error = await fetchArtifact(
      { url: `${base}${input.path}`, digest: input.digest, revision: 'main@sha1:1' },
      { ...options(), ...(input.maxBytes !== undefined && { maxBytes: input.maxBytes }) },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'ArtifactFailed', message: expect.stringMatching(want) });
  });

  it('throws the caller abort reason, not an artifact failure', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      fetchArtifact(
        { url: `${base}/a.tar.gz`, digest, revision: 'r' },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('shutting down');
  });
});
