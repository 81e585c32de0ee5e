import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyArtifactToPath, secureJoin } from './artifact-include.ts';
import { ArtifactStorage, StorageError } from './artifact-storage.ts';

let base: string;
let artifactFile: string;
let target: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kustodian-include-test-'));
  const src = join(base, 'src');
  await mkdir(join(src, 'deploy/app'), { recursive: true });
  await writeFile(join(src, 'deploy/app/a.yaml'), 'a\n');
  await writeFile(join(src, 'top.yaml'), 'top\n');
  const storage = new ArtifactStorage({ basePath: join(base, 'storage'), advertisedAddress: 'h' });
  const artifact = await storage.archive({
    owner: { kind: 'GitRepository', namespace: 'ns', name: 'lib' },
    revision: 'r',
    fileName: 'r.tar.gz',
    dir: src,
  });
  artifactFile = storage.localPath(artifact.path);
  target = join(base, 'checkout');
  await mkdir(target);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('include: copyArtifactToPath', () => {
  it('copies the whole artifact to toPath by default', async () => {
    await copyArtifactToPath({ artifactFile, targetRoot: target, toPath: 'lib' });
    expect(await readFile(join(target, 'lib/top.yaml'), 'utf8')).toBe('top\n');
    expect(await readFile(join(target, 'lib/deploy/app/a.yaml'), 'utf8')).toBe('a\n');
  });

  it('copies only fromPath and replaces what was at toPath', async () => {
    await mkdir(join(target, 'vendor/app'), { recursive: true });
    await writeFile(join(target, 'vendor/app/stale.yaml'), 'old\n');
    await copyArtifactToPath({
      artifactFile,
      fromPath: 'deploy/app',
      targetRoot: target,
      toPath: 'vendor/app',
    });
    expect(await readdir(join(target, 'vendor/app'))).toEqual(['a.yaml']);
  });

  it.each([
    { name: 'toPath escaping the checkout', fromPath: '', toPath: '../outside' },
    { name: 'fromPath missing in the artifact', fromPath: 'nope', toPath: 'x' },
    { name: 'toPath at the root', fromPath: '', toPath: '.' },
  ])('$name is refused', async ({ fromPath, toPath }) => {
    await expect(
      copyArtifactToPath({ artifactFile, fromPath, targetRoot: target, toPath }),
    ).rejects.toThrow(StorageError);
  });

  it('refuses to copy through a symlink in the checkout', async () => {
    await symlink(join(base, 'src'), join(target, 'link'));
    await expect(secureJoin(target, 'link/x')).rejects.toThrow(/symlink/);
  });
});
