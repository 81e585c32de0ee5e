import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepositoryRef } from '../../api/index.ts';
import {
  createGpgKey,
  createTestRepo,
  disposeGpgKey,
  type GpgKey,
  type TestRepo,
} from '../git/git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from '../git/https-git-server.ts';
import { generateSshKey, type SshGitServer, startSshGitServer } from '../git/ssh-git-server.ts';
import { createTestPki, type TestPki } from '../git/tls-pki.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  condition,
  createGitRepository,
  downloadArtifact,
  eventsFor,
  installGitRepositoryCrd,
  isReadyAt,
  type RunningSourceController,
  readText,
  startSourceController,
  waitForRepo,
  writeSecret,
} from './source-env.ts';

let env: TestEnv;
let work: string;
let pki: TestPki;
let https: HttpsGitServer;
let ssh: SshGitServer;
let repo: TestRepo;
let signer: GpgKey;
let controller: RunningSourceController;
const commits: Record<string, string> = {};

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'src-refs' });
  await installGitRepositoryCrd(env);
  work = await mkdtemp(join(tmpdir(), 'kustodian-src-refs-'));
  pki = await createTestPki(work);
  signer = await createGpgKey(work, 'signer');
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'app',
  });
  commits.v1 = await repo.commit({ 'version.txt': '1.0.0\n' }, 'release 1.0.0');
  await repo.tag('v1.0.0', { message: 'v1.0.0' });
  commits.v11 = await repo.commit({ 'version.txt': '1.1.0\n' }, 'release 1.1.0');
  await repo.tag('v1.1.0');
  commits.v2 = await repo.commit({ 'version.txt': '2.0.0\n' }, 'release 2.0.0');
  await repo.tag('v2.0.0');
  commits.signed = await repo.commit({ 'signed.txt': 'yes\n' }, 'signed change', {
    sign: signer,
    branch: 'signed',
  });
  https = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  await writeSecret(env, 'ca', { 'ca.crt': pki.caCert });
  await writeSecret(env, 'pgp-keys', { 'signer.asc': signer.publicKey });
  controller = await startSourceController(env);
});

afterAll(async () => {
  await controller?.stop();
  await https?.stop();
  await ssh?.stop();
  if (signer) await disposeGpgKey(signer);
  await env?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function url(): string {
  return `${https.baseUrl}${repo.httpPath}`;
}

describe('GitRepository references', () => {
  const rows: {
    name: string;
    ref: () => GitRepositoryRef;
    revision: () => string;
    want: string;
  }[] = [
    {
      name: 'tag',
      ref: () => ({ tag: 'v1.0.0' }),
      revision: () => `v1.0.0@sha1:${commits.v1}`,
      want: '1.0.0\n',
    },
    {
      name: 'semver',
      ref: () => ({ semver: '~1.0.0 || ^1.1.0' }),
      revision: () => `v1.1.0@sha1:${commits.v11}`,
      want: '1.1.0\n',
    },
    {
      name: 'commit',
      ref: () => ({ commit: commits.v1 ?? '' }),
      revision: () => `sha1:${commits.v1}`,
      want: '1.0.0\n',
    },
    {
      name: 'refname',
      ref: () => ({ name: 'refs/tags/v2.0.0' }),
      revision: () => `refs/tags/v2.0.0@sha1:${commits.v2}`,
      want: '2.0.0\n',
    },
  ];
  it.each(rows)(
    'a $name ref is checked out at its revision',
    async ({ name, ref, revision, want }) => {
      await createGitRepository(env, `ref-${name}`, {
        url: url(),
        interval: '1m',
        ref: ref(),
        secretRef: { name: 'ca' },
      });
      const ready = await waitForRepo(env, `ref-${name}`, 'Ready', isReadyAt(revision()));
      const files = await downloadArtifact(ready.status?.artifact ?? missing(), work);
      expect(await readText(files.dir, 'version.txt')).toBe(want);
    },
  );
});

describe('GitRepository signature verification', () => {
  it('a signed HEAD is verified; an unsigned commit then gets no artifact', async () => {
    await createGitRepository(env, 'verified', {
      url: url(),
      interval: '2s',
      ref: { branch: 'signed' },
      secretRef: { name: 'ca' },
      verify: { mode: 'HEAD', secretRef: { name: 'pgp-keys' } },
    });
    const ready = await waitForRepo(
      env,
      'verified',
      'Ready',
      isReadyAt(`signed@sha1:${commits.signed}`),
    );
    expect(condition(ready, 'SourceVerified')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
    expect(condition(ready, 'SourceVerified')?.message).toContain(`commit '${commits.signed}'`);
    expect(ready.status?.sourceVerificationMode).toBe('HEAD');

    const unsigned = await repo.commit({ 'signed.txt': 'no\n' }, 'unsigned change', {
      branch: 'signed',
    });
    const failed = await waitForRepo(
      env,
      'verified',
      'SourceVerified=False',
      (r) => condition(r, 'SourceVerified')?.status === 'False',
    );
    expect(condition(failed, 'SourceVerified')?.reason).toBe('InvalidCommitSignature');
    expect(condition(failed, 'SourceVerified')?.message).toContain(unsigned);
    expect(condition(failed, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidCommitSignature',
    });
    expect(failed.status?.artifact?.revision).toBe(`signed@sha1:${commits.signed}`);
    const stored = await readdir(
      join(controller.storagePath, 'gitrepository', env.namespace, 'verified'),
    );
    expect(stored).toEqual([`${commits.signed}.tar.gz`]);
    await waitFor('an InvalidCommitSignature event', async () =>
      (await eventsFor(env, 'verified')).some(
        (e) => e.reason === 'InvalidCommitSignature' && e.type === 'Warning',
      )
        ? true
        : undefined,
    );
  });
});

describe('GitRepository includes', () => {
  it("copies another GitRepository's artifact (fromPath) to toPath", async () => {
    await createGitRepository(env, 'base', {
      url: url(),
      interval: '1m',
      ref: { tag: 'v2.0.0' },
      secretRef: { name: 'ca' },
    });
    await createGitRepository(env, 'combined', {
      url: url(),
      interval: '1m',
      ref: { tag: 'v1.0.0' },
      secretRef: { name: 'ca' },
      include: [{ repository: { name: 'base' }, toPath: 'vendor/base' }],
    });
    const ready = await waitForRepo(
      env,
      'combined',
      'Ready with the include',
      (r) =>
        condition(r, 'Ready')?.status === 'True' &&
        (r.status?.includedArtifacts?.length ?? 0) === 1,
    );
    expect(ready.status?.observedInclude).toEqual([
      { repository: { name: 'base' }, toPath: 'vendor/base' },
    ]);
    expect(ready.status?.includedArtifacts?.[0]?.revision).toBe(`v2.0.0@sha1:${commits.v2}`);
    const files = await downloadArtifact(ready.status?.artifact ?? missing(), work);
    expect(await readText(files.dir, 'version.txt')).toBe('1.0.0\n');
    expect(await readText(files.dir, 'vendor/base/version.txt')).toBe('2.0.0\n');
  });

  it('waits with IncludeUnavailable while the included GitRepository does not exist', async () => {
    await createGitRepository(env, 'orphan', {
      url: url(),
      interval: '1m',
      secretRef: { name: 'ca' },
      include: [{ repository: { name: 'nowhere' } }],
    });
    const waiting = await waitForRepo(
      env,
      'orphan',
      'IncludeUnavailable',
      (r) => condition(r, 'IncludeUnavailable')?.status === 'True',
    );
    expect(condition(waiting, 'IncludeUnavailable')?.reason).toBe('NotFound');
    expect(condition(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'NotFound' });
  });
});

describe('GitRepository over SSH', () => {
  it('an unknown host key fails and names it; the right known_hosts recovers', async () => {
    const key = await generateSshKey(work, 'client');
    ssh = await startSshGitServer({ dir: join(work, 'sshd'), authorizedKeys: [key.publicKey] });
    const stranger = await generateSshKey(work, 'stranger-host');
    const wrongHosts = `[127.0.0.1]:${ssh.port} ${stranger.publicKey.split(' ').slice(0, 2).join(' ')}`;
    await writeSecret(env, 'ssh-auth', { identity: key.privateKey, known_hosts: wrongHosts });
    await createGitRepository(env, 'over-ssh', {
      url: ssh.urlFor(repo.barePath),
      interval: '1m',
      secretRef: { name: 'ssh-auth' },
    });
    const failed = await waitForRepo(
      env,
      'over-ssh',
      'Ready=False',
      (r) => condition(r, 'Ready')?.status === 'False',
    );
    expect(condition(failed, 'Ready')?.reason).toBe('GitOperationFailed');
    expect(condition(failed, 'FetchFailed')?.message).toMatch(/HostKeyVerificationFailed/);
    const everything = JSON.stringify([
      failed.status,
      await eventsFor(env, 'over-ssh'),
      controller.logs,
    ]);
    expect(everything).not.toContain(key.privateKey.split('\n')[1]);

    await writeSecret(env, 'ssh-auth', { identity: key.privateKey, known_hosts: ssh.knownHosts });
    await waitForRepo(env, 'over-ssh', 'recovered', isReadyAt(`master@sha1:${commits.v2}`));
  });
});

describe('GitRepository with its server down', () => {
  it('fails while the server is down and recovers with the new revision when it is back', async () => {
    await createGitRepository(env, 'flaky', {
      url: url(),
      interval: '2s',
      secretRef: { name: 'ca' },
    });
    await waitForRepo(env, 'flaky', 'Ready', isReadyAt(`master@sha1:${commits.v2}`));
    await https.stop();
    try {
      const failed = await waitForRepo(
        env,
        'flaky',
        'Ready=False',
        (r) => condition(r, 'Ready')?.status === 'False',
      );
      expect(condition(failed, 'Ready')?.reason).toBe('GitOperationFailed');
      expect(condition(failed, 'FetchFailed')?.message).toMatch(/Unreachable/);
      expect(failed.status?.artifact?.revision).toBe(`master@sha1:${commits.v2}`);
    } finally {
      await https.start();
    }
    const next = await repo.commit({ 'version.txt': '2.1.0\n' }, 'after the outage', {
      branch: 'master',
    });
    const recovered = await waitForRepo(
      env,
      'flaky',
      'recovered',
      isReadyAt(`master@sha1:${next}`),
    );
    expect(condition(recovered, 'FetchFailed')).toBeUndefined();
  });
});

function missing(): never {
  throw new Error('missing value');
}
