import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStorage, StorageError } from './artifact-storage.ts';

let base: string;
let src: string;
const owner = { kind: 'GitRepository', namespace: 'flux-system', name: 'fleet' };

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kustodian-storage-'));
  src = join(base, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.yaml'), 'a: 1\n');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('ArtifactStorage', () => {
  it('stores under gitrepository/<namespace>/<name>/<file> with an advertised URL', async () => {
    const storage = new ArtifactStorage({
      basePath: join(base, 'data'),
      advertisedAddress: 'source-controller.flux-system.svc.cluster.local.',
    });
    const artifact = await storage.archive({
      owner,
      revision: `main@sha1:${'a'.repeat(40)}`,
      fileName: `${'a'.repeat(40)}.tar.gz`,
      dir: src,
    });
    expect(artifact.path).toBe(`gitrepository/flux-system/fleet/${'a'.repeat(40)}.tar.gz`);
    expect(artifact.url).toBe(
      `http://source-controller.flux-system.svc.cluster.local./${artifact.path}`,
    );
    expect(artifact.digest).toMatch(/^sha256:/);
    expect(await storage.exists(artifact)).toBe(true);
    // No temp file is left next to the artifact.
    expect(await readdir(join(base, 'data', 'gitrepository/flux-system/fleet'))).toEqual([
      `${'a'.repeat(40)}.tar.gz`,
    ]);
  });

  it('garbage collection keeps the current artifact and the newest others up to the retention', async () => {
    const storage = new ArtifactStorage({
      basePath: join(base, 'data'),
      advertisedAddress: '127.0.0.1:9090',
      retentionRecords: 2,
    });
    const made = [];
    for (const [i, name] of ['1', '2', '3', '4'].entries()) {
      const a = await storage.archive({
        owner,
        revision: name,
        fileName: `${name}.tar.gz`,
        dir: src,
      });
      await utimes(storage.localPath(a.path), new Date(1000 * (i + 1)), new Date(1000 * (i + 1)));
      made.push(a);
    }
    const dir = join(base, 'data', 'gitrepository/flux-system/fleet');
    await writeFile(join(dir, '.tmp-stale.tar.gz'), 'partial');
    await utimes(join(dir, '.tmp-stale.tar.gz'), new Date(0), new Date(0));
    await writeFile(join(dir, '.tmp-writing.tar.gz'), 'in progress');
    const current = made[3] as (typeof made)[number];
    const deleted = await storage.garbageCollect(owner, current);
    expect(deleted.sort()).toEqual([
      'gitrepository/flux-system/fleet/.tmp-stale.tar.gz',
      'gitrepository/flux-system/fleet/1.tar.gz',
      'gitrepository/flux-system/fleet/2.tar.gz',
    ]);
    expect((await readdir(join(base, 'data', 'gitrepository/flux-system/fleet'))).sort()).toEqual([
      '.tmp-writing.tar.gz',
      '3.tar.gz',
      '4.tar.gz',
    ]);
  });

  it('removeAll deletes the object directory', async () => {
    const storage = new ArtifactStorage({
      basePath: join(base, 'data'),
      advertisedAddress: 'http://h:1',
    });
    const a = await storage.archive({ owner, revision: 'r', fileName: 'r.tar.gz', dir: src });
    expect(a.url).toBe(`http://h:1/${a.path}`);
    await storage.removeAll(owner);
    expect(await storage.exists(a)).toBe(false);
  });

  it.each([
    { name: 'dot-dot name', owner: { ...owner, name: '..' } },
    { name: 'slash in namespace', owner: { ...owner, namespace: 'a/b' } },
  ])('refuses a path from $name', ({ owner: bad }) => {
    const storage = new ArtifactStorage({ basePath: base, advertisedAddress: 'h' });
    expect(() => storage.artifactPath(bad, 'x.tar.gz')).toThrow(StorageError);
  });
});
