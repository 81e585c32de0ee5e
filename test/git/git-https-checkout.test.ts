import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRepository, GitError } from '../../controllers/source/index.ts';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import { createTestPki, type TestPki } from './tls-pki.ts';

const PASSWORD = 'pa55-w0rd-never-printed';
const TOKEN = 'bearer-token-never-printed-3f9a';

let work: string;
let pki: TestPki;
let server: HttpsGitServer;
let repo: TestRepo;
let first: string;
let checkouts = 0;

function secret(data: Record<string, string>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)]));
}

function nextDir(): string {
  checkouts += 1;
  return join(work, `checkout-${checkouts}`);
}

async function failure(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-https-'));
  pki = await createTestPki(work);
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'fleet',
  });
  first = await repo.commit({ 'apps/app.yaml': 'kind: ConfigMap\n' }, 'first');
  server = await startHttpsGitServer({
    projectRoot: join(work, 'repos'),
    pki,
    auth: { kind: 'basic', username: 'flux', password: PASSWORD },
  });
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('git checkout over HTTPS (git-http-backend)', () => {
  it('clones the default branch master with basic auth and writes a Flux revision', async () => {
    server.setAuth({ kind: 'basic', username: 'flux', password: PASSWORD });
    const dir = nextDir();
    const result = await checkoutRepository({
      url: `${server.baseUrl}${repo.httpPath}`,
      dir,
      secret: secret({ username: 'flux', password: PASSWORD, 'ca.crt': pki.caCert }),
    });
    expect(result.changed).toBe(true);
    if (!result.changed) return;
    expect(result.checkout.revision).toBe(`master@sha1:${first}`);
    expect(await readFile(join(dir, 'apps/app.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it('a wrong password fails with AuthenticationFailed and never shows the password', async () => {
    server.setAuth({ kind: 'basic', username: 'flux', password: PASSWORD });
    const wrong = 'wrong-secret-value-7781';
    const error = await failure(
      checkoutRepository({
        url: `${server.baseUrl}${repo.httpPath}`,
        dir: nextDir(),
        secret: secret({ username: 'flux', password: wrong, 'ca.crt': pki.caCert }),
      }),
    );
    expect(error.code).toBe('AuthenticationFailed');
    expect(`${error.message} ${error.stack}`).not.toContain(wrong);
    expect(error.message).toContain(server.baseUrl);
  });

  it('an untrusted server certificate fails with TLSVerificationFailed', async () => {
    server.setAuth({ kind: 'none' });
    const error = await failure(
      checkoutRepository({ url: `${server.baseUrl}${repo.httpPath}`, dir: nextDir() }),
    );
    expect(error.code).toBe('TLSVerificationFailed');
  });

  it('clones with a bearer token; a wrong token is refused without showing it', async () => {
    server.setAuth({ kind: 'bearer', token: TOKEN });
    const ok = await checkoutRepository({
      url: `${server.baseUrl}${repo.httpPath}`,
      dir: nextDir(),
      secret: secret({ bearerToken: TOKEN, 'ca.crt': pki.caCert }),
    });
    expect(ok.changed && ok.checkout.commit).toBe(first);
    const wrong = 'not-the-token-0042';
    const error = await failure(
      checkoutRepository({
        url: `${server.baseUrl}${repo.httpPath}`,
        dir: nextDir(),
        secret: secret({ bearerToken: wrong, 'ca.crt': pki.caCert }),
      }),
    );
    expect(error.code).toBe('AuthenticationFailed');
    expect(error.message).not.toContain(wrong);
  });

  it('clones with a client certificate signed by the CA', async () => {
    server.setAuth({ kind: 'clientCert' });
    const url = `${server.baseUrl}${repo.httpPath}`;
    const ok = await checkoutRepository({
      url,
      dir: nextDir(),
      secret: secret({ 'ca.crt': pki.caCert, 'tls.crt': pki.clientCert, 'tls.key': pki.clientKey }),
    });
    expect(ok.changed && ok.checkout.commit).toBe(first);
    const refused = await failure(
      checkoutRepository({ url, dir: nextDir(), secret: secret({ 'ca.crt': pki.caCert }) }),
    );
    expect(refused.code).toBe('AuthenticationFailed');
  });

  it('skips the download when the remote revision is unchanged, and sees a new commit', async () => {
    server.setAuth({ kind: 'basic', username: 'flux', password: PASSWORD });
    const url = `${server.baseUrl}${repo.httpPath}`;
    const auth = secret({ username: 'flux', password: PASSWORD, 'ca.crt': pki.caCert });
    const before = server.requests.length;
    const same = await checkoutRepository({
      url,
      dir: nextDir(),
      secret: auth,
      lastObservedRevision: `master@sha1:${first}`,
    });
    expect(same).toEqual({ changed: false, revision: `master@sha1:${first}` });
    const uploadPacks = server.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.authorized);
    // ls-remote over protocol v2 is one POST (ls-refs); a fetch would add a second one.
    expect(uploadPacks.length).toBeLessThanOrEqual(1);

    const second = await repo.commit({ 'apps/app.yaml': 'kind: Secret\n' }, 'second');
    const dir = nextDir();
    const next = await checkoutRepository({
      url,
      dir,
      secret: auth,
      lastObservedRevision: `master@sha1:${first}`,
    });
    expect(next.changed && next.checkout.revision).toBe(`master@sha1:${second}`);
    expect(await readFile(join(dir, 'apps/app.yaml'), 'utf8')).toBe('kind: Secret\n');
  });

  it('fails with Unreachable while the server is down and recovers when it is back', async () => {
    server.setAuth({ kind: 'none' });
    const url = `${server.baseUrl}${repo.httpPath}`;
    const auth = secret({ 'ca.crt': pki.caCert });
    await server.stop();
    try {
      const error = await failure(
        checkoutRepository({ url, dir: nextDir(), secret: auth, timeoutMs: 20_000 }),
      );
      expect(error.code).toBe('Unreachable');
      expect(error.retryable).toBe(true);
    } finally {
      await server.start();
    }
    const back = await checkoutRepository({ url, dir: nextDir(), secret: auth });
    expect(back.changed).toBe(true);
  });
});
