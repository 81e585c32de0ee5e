import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArtifactServer,
  ArtifactStorage,
  checkoutRepository,
  type GitCheckout,
  startArtifactServer,
} from '../../controllers/source/index.ts';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import { createTestPki } from './tls-pki.ts';

let work: string;
let git: HttpsGitServer;
let files: ArtifactServer;
let storage: ArtifactStorage;
let repo: TestRepo;
let ca: Record<string, Buffer>;
let n = 0;
const owner = { kind: 'GitRepository', namespace: 'flux-system', name: 'fleet' };

async function checkout(): Promise<GitCheckout> {
  n += 1;
  const result = await checkoutRepository({
    url: `${git.baseUrl}${repo.httpPath}`,
    dir: join(work, `co-${n}`),
    secret: ca,
  });
  if (!result.changed) throw new Error('expected a checkout');
  return result.checkout;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-artifact-'));
  const pki = await createTestPki(work);
  ca = { 'ca.crt': Buffer.from(pki.caCert) };
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'fleet',
  });
  await repo.symlink('apps/escape', '/etc/passwd');
  await repo.commit(
    {
      'apps/deploy.yaml': 'kind: Deployment\n',
      'apps/.sourceignore': '*.md\n',
      'apps/README.md': 'docs\n',
      'clusters/prod/kustomization.yaml': 'resources: []\n',
      'clusters/prod/.sops.yaml': 'creation_rules: []\n',
      'docs/logo.png': 'PNG',
      '.github/workflows/ci.yaml': 'on: push\n',
      'scripts/run.sh': '#!/bin/sh\n',
      'tests/fixture.yaml': 'x: 1\n',
    },
    'tree',
    { executable: ['scripts/run.sh'] },
  );
  git = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  files = await startArtifactServer({ root: join(work, 'storage') });
  storage = new ArtifactStorage({
    basePath: join(work, 'storage'),
    advertisedAddress: files.address.replace('http://', ''),
  });
  await mkdir(join(work, 'storage'), { recursive: true });
});

afterAll(async () => {
  await files?.close();
  await git?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('artifact from a real checkout, stored and served', () => {
  it('archives with ignore rules, serves it over HTTP, and the digest matches the bytes', async () => {
    const co = await checkout();
    const artifact = await storage.archive({
      owner,
      revision: co.revision,
      fileName: `${co.commit}.tar.gz`,
      dir: co.dir,
      ignore: 'tests/\n',
    });
    expect(artifact.path).toBe(`gitrepository/flux-system/fleet/${co.commit}.tar.gz`);
    expect(artifact.revision).toBe(`master@sha1:${co.commit}`);

    const response = await fetch(artifact.url);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(artifact.size);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(artifact.digest);

    const out = join(work, `extract-${n}`);
    await mkdir(out);
    const tarball = join(work, `download-${n}.tar.gz`);
    await writeFile(tarball, bytes);
    const seen: Array<{ path: string; mode: number | undefined }> = [];
    await extract({
      file: tarball,
      cwd: out,
      onReadEntry: (e) => seen.push({ path: e.path, mode: e.mode }),
    });
    expect(seen.map((e) => e.path)).toEqual([
      'apps/',
      'apps/.sourceignore',
      'apps/deploy.yaml',
      'clusters/',
      'clusters/prod/',
      'clusters/prod/kustomization.yaml',
      'docs/',
      'scripts/',
      'scripts/run.sh',
    ]);
    expect(seen.find((e) => e.path === 'scripts/run.sh')?.mode).toBe(0o755);
    expect(await readFile(join(out, 'apps/deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
  });

  it('two clones of the same commit give the same digest', async () => {
    const a = await checkout();
    const b = await checkout();
    const first = await storage.archive({
      owner,
      revision: a.revision,
      fileName: 'a.tar.gz',
      dir: a.dir,
    });
    const second = await storage.archive({
      owner,
      revision: b.revision,
      fileName: 'b.tar.gz',
      dir: b.dir,
    });
    expect(second.digest).toBe(first.digest);
  });

  it('the file server refuses traversal and hidden files', async () => {
    for (const path of [
      '/../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/gitrepository/flux-system/fleet/.tmp-x.tar.gz',
      '/gitrepository/',
    ]) {
      const response = await fetch(`${files.address}${path}`);
      expect(response.status, path).toBe(404);
    }
  });
});
