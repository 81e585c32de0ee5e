import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutRepository,
  type GitError,
  type GitReference,
  resolveRemoteRevision,
} from '../../controllers/source/index.ts';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import { createTestPki } from './tls-pki.ts';

let work: string;
let server: HttpsGitServer;
let repo: TestRepo;
let url: string;
let ca: Record<string, Buffer>;
const commits: Record<string, string> = {};
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-refs-'));
  const pki = await createTestPki(work);
  ca = { 'ca.crt': Buffer.from(pki.caCert) };
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'refs',
  });
  commits.c1 = await repo.commit({ 'version.txt': '1.0.0\n' }, 'v1.0.0');
  await repo.tag('v1.0.0');
  commits.c2 = await repo.commit({ 'version.txt': '1.2.0\n' }, 'v1.2.0');
  await repo.tag('v1.2.0', { message: 'release 1.2.0' });
  commits.c3 = await repo.commit({ 'version.txt': '2.0.0-rc.1\n' }, 'v2.0.0-rc.1');
  await repo.tag('v2.0.0-rc.1', { message: 'rc' });
  await repo.tag('not-a-version');
  commits.c4 = await repo.commit({ 'version.txt': 'main\n' }, 'on master');
  commits.dev = await repo.commit({ 'version.txt': 'dev\n' }, 'on dev', { branch: 'dev' });
  server = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  url = `${server.baseUrl}${repo.httpPath}`;
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

const cases: Array<{
  name: string;
  reference: GitReference | undefined;
  commit: string;
  revision: (c: string) => string;
  file: string;
}> = [
  {
    name: 'no ref checks out master',
    reference: undefined,
    commit: 'c4',
    revision: (c) => `master@sha1:${c}`,
    file: 'main\n',
  },
  {
    name: 'branch dev',
    reference: { branch: 'dev' },
    commit: 'dev',
    revision: (c) => `dev@sha1:${c}`,
    file: 'dev\n',
  },
  {
    name: 'lightweight tag',
    reference: { tag: 'v1.0.0' },
    commit: 'c1',
    revision: (c) => `v1.0.0@sha1:${c}`,
    file: '1.0.0\n',
  },
  {
    name: 'annotated tag peels to its commit',
    reference: { tag: 'v1.2.0' },
    commit: 'c2',
    revision: (c) => `v1.2.0@sha1:${c}`,
    file: '1.2.0\n',
  },
  {
    name: 'semver picks the highest release, not the prerelease',
    reference: { semver: '>=1.0.0' },
    commit: 'c2',
    revision: (c) => `v1.2.0@sha1:${c}`,
    file: '1.2.0\n',
  },
  {
    name: 'semver with a prerelease range picks the rc',
    reference: { semver: '>=2.0.0-rc.0' },
    commit: 'c3',
    revision: (c) => `v2.0.0-rc.1@sha1:${c}`,
    file: '2.0.0-rc.1\n',
  },
  {
    name: 'semver wins over tag and branch',
    reference: { semver: '1.0.x', tag: 'v1.2.0', branch: 'dev' },
    commit: 'c1',
    revision: (c) => `v1.0.0@sha1:${c}`,
    file: '1.0.0\n',
  },
  {
    name: 'name refs/heads/dev keeps the full ref in the revision',
    reference: { name: 'refs/heads/dev' },
    commit: 'dev',
    revision: (c) => `refs/heads/dev@sha1:${c}`,
    file: 'dev\n',
  },
  {
    name: 'name of an annotated tag',
    reference: { name: 'refs/tags/v1.2.0' },
    commit: 'c2',
    revision: (c) => `refs/tags/v1.2.0@sha1:${c}`,
    file: '1.2.0\n',
  },
  {
    name: 'bare commit',
    reference: { commit: 'c1' },
    commit: 'c1',
    revision: (c) => `sha1:${c}`,
    file: '1.0.0\n',
  },
  {
    name: 'commit on a branch',
    reference: { commit: 'c2', branch: 'master' },
    commit: 'c2',
    revision: (c) => `master@sha1:${c}`,
    file: '1.2.0\n',
  },
  {
    name: 'commit wins over everything',
    reference: { commit: 'c1', name: 'refs/heads/dev', semver: '*', tag: 'v1.2.0' },
    commit: 'c1',
    revision: (c) => `sha1:${c}`,
    file: '1.0.0\n',
  },
];

function withCommits(reference: GitReference | undefined): GitReference | undefined {
  if (!reference?.commit) return reference;
  return { ...reference, commit: commits[reference.commit] ?? reference.commit };
}

describe('reference resolution against a real remote', () => {
  it.each(cases)('$name', async ({ reference, commit, revision, file }) => {
    n += 1;
    const dir = join(work, `checkout-${n}`);
    const result = await checkoutRepository({
      url,
      dir,
      reference: withCommits(reference),
      secret: ca,
    });
    const hash = commits[commit] as string;
    expect(result.changed && result.checkout.revision).toBe(revision(hash));
    expect(await readFile(join(dir, 'version.txt'), 'utf8')).toBe(file);
  });

  it('a shallow branch clone has one commit of history', async () => {
    const dir = join(work, 'shallow');
    await checkoutRepository({ url, dir, secret: ca });
    expect(await readFile(join(dir, '.git', 'shallow'), 'utf8')).toContain(commits.c4);
  });

  it.each([
    { name: 'missing branch', reference: { branch: 'nope' }, message: "branch 'nope'" },
    { name: 'missing tag', reference: { tag: 'v9.9.9' }, message: "tag 'v9.9.9'" },
    { name: 'unmatched semver', reference: { semver: '>=5.0.0' }, message: "'>=5.0.0'" },
    {
      name: 'commit not on branch',
      reference: { commit: 'dev', branch: 'master' },
      message: 'is not on branch',
    },
    {
      name: 'unknown commit',
      reference: { commit: 'ffffffffffffffffffffffffffffffffffffffff' },
      message: 'ffffffff',
    },
  ])('$name fails with ReferenceNotFound', async ({ reference, message }) => {
    n += 1;
    const error = (await checkoutRepository({
      url,
      dir: join(work, `checkout-${n}`),
      reference: withCommits(reference),
      secret: ca,
    }).catch((e: unknown) => e)) as GitError;
    expect(error.code).toBe('ReferenceNotFound');
    expect(error.message).toContain(message);
  });

  it('a pinned commit already stored is skipped without contacting the server', async () => {
    const before = server.requests.length;
    const result = await checkoutRepository({
      url,
      dir: join(work, 'pinned'),
      reference: { commit: commits.c1 as string },
      lastObservedRevision: `sha1:${commits.c1}`,
      secret: ca,
    });
    expect(result).toEqual({ changed: false, revision: `sha1:${commits.c1}` });
    expect(server.requests.length).toBe(before);
  });

  it('resolveRemoteRevision lists refs only', async () => {
    const before = server.requests.filter((r) => r.method === 'POST').length;
    const resolved = await resolveRemoteRevision({
      url,
      reference: { semver: '^1.0.0' },
      secret: ca,
    });
    expect(resolved.revision).toBe(`v1.2.0@sha1:${commits.c2}`);
    expect(server.requests.filter((r) => r.method === 'POST').length - before).toBe(1);
  });
});
