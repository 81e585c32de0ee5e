import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo, type TestRepo } from '../git/git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from '../git/https-git-server.ts';
import { createTestPki, type TestPki } from '../git/tls-pki.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  condition,
  createGitRepository,
  deleteGitRepository,
  downloadArtifact,
  eventsFor,
  installGitRepositoryCrd,
  isReadyAt,
  patchGitRepository,
  type RunningSourceController,
  readGitRepository,
  readText,
  startSourceController,
  waitForRepo,
  writeSecret,
} from './source-env.ts';

const PASSWORD = 'https-pa55word-never-shown-9c1e';
const WRONG = 'wrong-pa55word-never-shown-41d7';

let env: TestEnv;
let work: string;
let pki: TestPki;
let server: HttpsGitServer;
let repo: TestRepo;
let controller: RunningSourceController;
let first: string;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'src-https' });
  await installGitRepositoryCrd(env);
  work = await mkdtemp(join(tmpdir(), 'kustodian-src-https-'));
  pki = await createTestPki(work);
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'fleet',
  });
  first = await repo.commit(
    {
      'apps/app.yaml': 'kind: ConfigMap\n',
      'apps/notes.txt': 'notes\n',
      'logo.png': 'not really a png\n',
    },
    'first commit of the fleet',
  );
  server = await startHttpsGitServer({
    projectRoot: join(work, 'repos'),
    pki,
    auth: { kind: 'basic', username: 'flux', password: PASSWORD },
  });
  await writeSecret(env, 'https-auth', {
    username: 'flux',
    password: PASSWORD,
    'ca.crt': pki.caCert,
  });
  controller = await startSourceController(env);
});

afterAll(async () => {
  await controller?.stop();
  await server?.stop();
  await env?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function url(): string {
  return `${server.baseUrl}${repo.httpPath}`;
}

describe('GitRepository over HTTPS with basic auth', () => {
  it('becomes Ready with the revision, a digest that matches the download, and the files', async () => {
    await createGitRepository(env, 'fleet', {
      url: url(),
      interval: '2s',
      secretRef: { name: 'https-auth' },
    });
    const ready = await waitForRepo(env, 'fleet', 'Ready', isReadyAt(`master@sha1:${first}`));
    const artifact = ready.status?.artifact;
    if (!artifact) throw new Error('no artifact');
    expect(condition(ready, 'Ready')).toMatchObject({
      reason: 'Succeeded',
      message: `stored artifact for revision 'master@sha1:${first}'`,
    });
    expect(condition(ready, 'ArtifactInStorage')).toMatchObject({ status: 'True' });
    expect(condition(ready, 'Reconciling')).toBeUndefined();
    expect(ready.metadata.finalizers).toContain('finalizers.fluxcd.io');
    expect(artifact.path).toBe(`gitrepository/${env.namespace}/fleet/${first}.tar.gz`);
    expect(artifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const downloaded = await downloadArtifact(artifact, work);
    expect(downloaded.digest).toBe(artifact.digest);
    expect(downloaded.size).toBe(artifact.size);
    expect(await readText(downloaded.dir, 'apps/app.yaml')).toBe('kind: ConfigMap\n');
    // Flux's default excludes leave images out.
    expect((await readdir(downloaded.dir)).sort()).toEqual(['apps']);
    const events = await waitFor('the NewArtifact event', async () => {
      const found = (await eventsFor(env, 'fleet')).filter((e) => e.reason === 'NewArtifact');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.message).toBe("stored artifact for commit 'first commit of the fleet'");
    expect(events[0]?.metadata.annotations?.['source.toolkit.fluxcd.io/revision']).toBe(
      `master@sha1:${first}`,
    );
  });

  it('picks up a pushed commit within the interval', async () => {
    await waitForRepo(env, 'fleet', 'Ready', isReadyAt(`master@sha1:${first}`));
    const pushedAt = Date.now();
    const second = await repo.commit({ 'apps/app.yaml': 'kind: Secret\n' }, 'second');
    const updated = await waitForRepo(
      env,
      'fleet',
      'the new revision',
      isReadyAt(`master@sha1:${second}`),
      15_000,
    );
    const elapsed = Date.now() - pushedAt;
    console.log(`push to new artifact: ${elapsed} ms (interval 2s)`);
    expect(elapsed).toBeLessThan(10_000);
    const downloaded = await downloadArtifact(updated.status?.artifact ?? never(), work);
    expect(await readText(downloaded.dir, 'apps/app.yaml')).toBe('kind: Secret\n');
    // Old artifacts are garbage collected down to Flux's two.
    const third = await repo.commit({ 'apps/three.yaml': 'x: 3\n' }, 'third');
    await waitForRepo(
      env,
      'fleet',
      'the third revision',
      isReadyAt(`master@sha1:${third}`),
      15_000,
    );
    const files = await readdir(
      join(controller.storagePath, 'gitrepository', env.namespace, 'fleet'),
    );
    expect(files.filter((f) => f.endsWith('.tar.gz')).sort()).toEqual(
      [`${second}.tar.gz`, `${third}.tar.gz`].sort(),
    );
  });

  it('an unchanged remote is only listed: no fetch and no status change', async () => {
    const before = await waitForRepo(
      env,
      'fleet',
      'Ready',
      (r) => condition(r, 'Ready')?.status === 'True',
    );
    const seen = server.requests.length;
    // Two more interval runs (2s) have listed the refs.
    await waitFor(
      'two more ref listings',
      async () =>
        server.requests.slice(seen).filter((r) => r.path.includes('/info/refs')).length >= 2
          ? true
          : undefined,
      { timeoutMs: 15_000 },
    );
    const window = server.requests.slice(seen);
    const after = await readGitRepository(env, 'fleet');
    expect(after?.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    // Over protocol v2 a listing is one GET of info/refs and one ls-refs POST; a fetch would add
    // a second GET and at least two more POSTs.
    const listings = window.filter((r) => r.path.includes('/info/refs')).length;
    const posts = window.filter((r) => r.path.endsWith('/git-upload-pack')).length;
    expect(posts).toBeLessThanOrEqual(listings);
  });

  it('a spec.ignore change builds a new artifact and records observedIgnore', async () => {
    const before = await waitForRepo(
      env,
      'fleet',
      'Ready',
      (r) => condition(r, 'Ready')?.status === 'True',
    );
    await patchGitRepository(env, 'fleet', { spec: { ignore: '/apps/notes.txt\n' } });
    const after = await waitForRepo(
      env,
      'fleet',
      'observedIgnore',
      (r) =>
        r.status?.observedIgnore === '/apps/notes.txt\n' &&
        isReadyAt(before.status?.artifact?.revision ?? '')(r),
    );
    expect(after.status?.artifact?.digest).not.toBe(before.status?.artifact?.digest);
    const downloaded = await downloadArtifact(after.status?.artifact ?? never(), work);
    expect(await readdir(join(downloaded.dir, 'apps'))).not.toContain('notes.txt');
  });

  it('requestedAt triggers an immediate reconcile recorded in lastHandledReconcileAt', async () => {
    await createGitRepository(env, 'slow', {
      url: url(),
      interval: '10m',
      secretRef: { name: 'https-auth' },
    });
    await waitForRepo(env, 'slow', 'Ready', (r) => condition(r, 'Ready')?.status === 'True');
    const requested = new Date().toISOString();
    const asked = Date.now();
    await patchGitRepository(env, 'slow', {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requested } },
    });
    await waitForRepo(
      env,
      'slow',
      'lastHandledReconcileAt',
      (r) => r.status?.lastHandledReconcileAt === requested,
      10_000,
    );
    expect(Date.now() - asked).toBeLessThan(10_000);
  });

  it('a tampered artifact is reported with ArtifactVerificationFailed and rebuilt', async () => {
    const before = await waitForRepo(
      env,
      'slow',
      'Ready',
      (r) => condition(r, 'Ready')?.status === 'True',
    );
    const artifact = before.status?.artifact ?? never();
    await writeFile(join(controller.storagePath, artifact.path), 'tampered\n');
    await patchGitRepository(env, 'slow', {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'after-tampering' } },
    });
    const after = await waitForRepo(
      env,
      'slow',
      'the rebuilt artifact',
      (r) =>
        r.status?.lastHandledReconcileAt === 'after-tampering' &&
        condition(r, 'Ready')?.status === 'True',
    );
    // The archive is reproducible: the rebuilt file has the digest status already had.
    expect(after.status?.artifact?.digest).toBe(artifact.digest);
    expect((await downloadArtifact(after.status?.artifact ?? never(), work)).digest).toBe(
      artifact.digest,
    );
    const warnings = (await eventsFor(env, 'slow')).filter(
      (e) => e.reason === 'ArtifactVerificationFailed',
    );
    expect(warnings[0]?.type).toBe('Warning');
  });

  it('a wrong password fails with GitOperationFailed, never shows it, and recovers when fixed', async () => {
    await writeSecret(env, 'wrong-auth', {
      username: 'flux',
      password: WRONG,
      'ca.crt': pki.caCert,
    });
    await createGitRepository(env, 'denied', {
      url: url(),
      interval: '1m',
      secretRef: { name: 'wrong-auth' },
    });
    const failed = await waitForRepo(
      env,
      'denied',
      'Ready=False',
      (r) => condition(r, 'Ready')?.status === 'False',
    );
    expect(condition(failed, 'Ready')?.reason).toBe('GitOperationFailed');
    expect(condition(failed, 'FetchFailed')).toMatchObject({
      status: 'True',
      reason: 'GitOperationFailed',
    });
    expect(condition(failed, 'FetchFailed')?.message).toMatch(/AuthenticationFailed/);
    expect(failed.status?.artifact).toBeUndefined();
    const warnings = await waitFor('a GitOperationFailed event', async () => {
      const found = (await eventsFor(env, 'denied')).filter(
        (e) => e.reason === 'GitOperationFailed',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(warnings[0]?.type).toBe('Warning');
    const everything = JSON.stringify([
      failed.status,
      await eventsFor(env, 'denied'),
      controller.logs,
    ]);
    expect(everything).not.toContain(WRONG);
    expect(everything).not.toContain(PASSWORD);

    await writeSecret(env, 'wrong-auth', {
      username: 'flux',
      password: PASSWORD,
      'ca.crt': pki.caCert,
    });
    const head = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const recovered = await waitForRepo(
      env,
      'denied',
      'recovered',
      isReadyAt(`master@sha1:${head}`),
    );
    expect(condition(recovered, 'FetchFailed')).toBeUndefined();
  });

  it('a missing branch fails with GitOperationFailed naming the branch', async () => {
    await createGitRepository(env, 'nobranch', {
      url: url(),
      interval: '1m',
      ref: { branch: 'does-not-exist' },
      secretRef: { name: 'https-auth' },
    });
    const failed = await waitForRepo(
      env,
      'nobranch',
      'Ready=False',
      (r) => condition(r, 'Ready')?.status === 'False',
    );
    expect(condition(failed, 'Ready')?.reason).toBe('GitOperationFailed');
    expect(condition(failed, 'Ready')?.message).toMatch(/branch 'does-not-exist' not found/);
    expect(condition(failed, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'ProgressingWithRetry',
    });
  });

  it('a missing Secret fails with AuthenticationFailed and a Warning event', async () => {
    await createGitRepository(env, 'nosecret', {
      url: url(),
      interval: '1m',
      secretRef: { name: 'not-there' },
    });
    const failed = await waitForRepo(
      env,
      'nosecret',
      'Ready=False',
      (r) => condition(r, 'Ready')?.status === 'False',
    );
    expect(condition(failed, 'FetchFailed')).toMatchObject({
      status: 'True',
      reason: 'AuthenticationFailed',
    });
    expect(condition(failed, 'Ready')?.message).toMatch(/^failed to get secret '.*\/not-there'/);
    await waitFor('an AuthenticationFailed event', async () =>
      (await eventsFor(env, 'nosecret')).some(
        (e) => e.reason === 'AuthenticationFailed' && e.type === 'Warning',
      )
        ? true
        : undefined,
    );
  });

  it('a URL with credentials stalls with URLInvalid and never shows them', async () => {
    const inUrl = 'url-pa55word-never-shown-77aa';
    await createGitRepository(env, 'badurl', {
      url: url().replace('https://', `https://flux:${inUrl}@`),
      interval: '1m',
    });
    const stalled = await waitForRepo(
      env,
      'badurl',
      'Stalled',
      (r) => condition(r, 'Stalled')?.status === 'True',
    );
    expect(condition(stalled, 'Stalled')?.reason).toBe('URLInvalid');
    expect(condition(stalled, 'Ready')).toMatchObject({ status: 'False', reason: 'URLInvalid' });
    expect(condition(stalled, 'Reconciling')).toBeUndefined();
    expect(stalled.status?.observedGeneration).toBe(stalled.metadata.generation);
    const everything = JSON.stringify([stalled, await eventsFor(env, 'badurl'), controller.logs]);
    expect(everything.split(inUrl).length - 1).toBe(
      JSON.stringify(stalled.spec).split(inUrl).length - 1,
    );
  });

  it('deleting removes the artifacts through the finalizer', async () => {
    await createGitRepository(env, 'doomed', {
      url: url(),
      interval: '1m',
      secretRef: { name: 'https-auth' },
    });
    await waitForRepo(env, 'doomed', 'Ready', (r) => condition(r, 'Ready')?.status === 'True');
    const dir = join(controller.storagePath, 'gitrepository', env.namespace, 'doomed');
    expect((await readdir(dir)).length).toBeGreaterThan(0);
    await deleteGitRepository(env, 'doomed');
    await waitFor('the GitRepository to be gone', async () =>
      (await readGitRepository(env, 'doomed')) === undefined ? true : undefined,
    );
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
});

function never(): never {
  throw new Error('missing value');
}
