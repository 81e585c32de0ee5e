import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRepository, GitError } from '../../controllers/source/index.ts';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import {
  generateSshKey,
  type SshGitServer,
  type SshKeyPair,
  startSshGitServer,
} from './ssh-git-server.ts';

let work: string;
let server: SshGitServer;
let repo: TestRepo;
let key: SshKeyPair;
let encryptedKey: SshKeyPair;
let head: string;
let n = 0;
const PASSPHRASE = 'key-passphrase-never-printed';

function secret(data: Record<string, string>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)]));
}

function nextDir(): string {
  n += 1;
  return join(work, `checkout-${n}`);
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
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-ssh-'));
  key = await generateSshKey(work, 'client');
  encryptedKey = await generateSshKey(work, 'client-encrypted', PASSPHRASE);
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'fleet',
  });
  head = await repo.commit({ 'app.yaml': 'a: 1\n' }, 'first');
  server = await startSshGitServer({
    dir: join(work, 'sshd'),
    authorizedKeys: [key.publicKey, encryptedKey.publicKey],
  });
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('git checkout over SSH (sshd + git-shell)', () => {
  it('clones with an identity and a known_hosts entry', async () => {
    const dir = nextDir();
    const result = await checkoutRepository({
      url: server.urlFor(repo.barePath),
      dir,
      secret: secret({
        identity: key.privateKey,
        'identity.pub': key.publicKey,
        known_hosts: server.knownHosts,
      }),
    });
    expect(result.changed && result.checkout.revision).toBe(`master@sha1:${head}`);
    expect(await readFile(join(dir, 'app.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('clones with a passphrase-protected identity using the password key', async () => {
    const result = await checkoutRepository({
      url: server.urlFor(repo.barePath),
      dir: nextDir(),
      secret: secret({
        identity: encryptedKey.privateKey,
        password: PASSPHRASE,
        known_hosts: server.knownHosts,
      }),
    });
    expect(result.changed && result.checkout.commit).toBe(head);
  });

  it('an unknown host key is refused with HostKeyVerificationFailed', async () => {
    const otherHost = (await generateSshKey(work, `other-host-${n}`)).publicKey
      .split(' ')
      .slice(0, 2)
      .join(' ');
    const error = await failure(
      checkoutRepository({
        url: server.urlFor(repo.barePath),
        dir: nextDir(),
        secret: secret({
          identity: key.privateKey,
          known_hosts: `[127.0.0.1]:${server.port} ${otherHost}`,
        }),
      }),
    );
    expect(error.code).toBe('HostKeyVerificationFailed');
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('a key the server does not know fails with AuthenticationFailed', async () => {
    const stranger = await generateSshKey(work, 'stranger');
    const error = await failure(
      checkoutRepository({
        url: server.urlFor(repo.barePath),
        dir: nextDir(),
        secret: secret({ identity: stranger.privateKey, known_hosts: server.knownHosts }),
      }),
    );
    expect(error.code).toBe('AuthenticationFailed');
    expect(error.message).not.toContain(stranger.privateKey.split('\n')[1]);
  });

  it('a secret without known_hosts is refused before connecting', async () => {
    const error = await failure(
      checkoutRepository({
        url: server.urlFor(repo.barePath),
        dir: nextDir(),
        secret: secret({ identity: key.privateKey }),
      }),
    );
    expect(error.code).toBe('InvalidSecret');
    expect(error.message).toContain('known_hosts');
  });
});
