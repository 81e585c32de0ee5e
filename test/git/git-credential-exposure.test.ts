import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRepository } from '../../controllers/source/index.ts';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import {
  generateSshKey,
  type SshGitServer,
  type SshKeyPair,
  startSshGitServer,
} from './ssh-git-server.ts';
import { createTestPki, type TestPki } from './tls-pki.ts';

const PASSWORD = 'exposure-test-password-5521';
const TOKEN = 'exposure-test-token-9931';

let work: string;
let shimDir: string;
let argvLog: string;
let pki: TestPki;
let https: HttpsGitServer;
let ssh: SshGitServer;
let key: SshKeyPair;
let repo: TestRepo;
const originalPath = process.env.PATH;

/** A `git` and an `ssh` on PATH that log their arguments and environment, then run the real one. */
async function installShims(): Promise<void> {
  await mkdir(shimDir, { recursive: true });
  for (const [name, real] of [
    ['git', '/usr/bin/git'],
    ['ssh', '/usr/bin/ssh'],
  ] as const) {
    const path = join(shimDir, name);
    await writeFile(
      path,
      `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> '${argvLog}'\nenv >> '${argvLog}'\nexec ${real} "$@"\n`,
    );
    await chmod(path, 0o755);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-exposure-'));
  shimDir = join(work, 'shims');
  argvLog = join(work, 'argv.log');
  await installShims();
  pki = await createTestPki(work);
  key = await generateSshKey(work, 'client');
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'r',
  });
  await repo.commit({ 'a.txt': 'a\n' }, 'one');
  https = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  ssh = await startSshGitServer({ dir: join(work, 'sshd'), authorizedKeys: [key.publicKey] });
  process.env.PATH = `${shimDir}:${originalPath}`;
});

afterAll(async () => {
  process.env.PATH = originalPath;
  await https?.stop();
  await ssh?.stop();
  await rm(work, { recursive: true, force: true });
});

function secret(data: Record<string, string>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)]));
}

/** The session HOMEs the shims saw: each must be gone once the checkout returns. */
function sessionHomes(log: string): string[] {
  return [
    ...new Set(
      [...log.matchAll(/^HOME=(.*kustodian-git-session-.*)$/gm)].map((m) => m[1] as string),
    ),
  ];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('credentials stay out of arguments and environments', () => {
  it.each([
    {
      name: 'basic auth',
      auth: { kind: 'basic', username: 'u', password: PASSWORD } as const,
      data: { username: 'u', password: PASSWORD },
    },
    {
      name: 'bearer token',
      auth: { kind: 'bearer', token: TOKEN } as const,
      data: { bearerToken: TOKEN },
    },
  ])('$name over HTTPS', async ({ auth, data }) => {
    https.setAuth(auth);
    await writeFile(argvLog, '');
    const result = await checkoutRepository({
      url: `${https.baseUrl}/r.git`,
      dir: join(work, `co-${auth.kind}`),
      secret: secret({ ...data, 'ca.crt': pki.caCert }),
    });
    expect(result.changed).toBe(true);
    const log = await readFile(argvLog, 'utf8');
    expect(log).toContain('git ls-remote');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(TOKEN);
    // The private session directory with the credential files is gone afterwards.
    const homes = sessionHomes(log);
    expect(homes).toHaveLength(1);
    expect(await exists(homes[0] as string)).toBe(false);
  });

  it('an SSH identity over sshd', async () => {
    await writeFile(argvLog, '');
    const result = await checkoutRepository({
      url: ssh.urlFor(repo.barePath),
      dir: join(work, 'co-ssh'),
      secret: secret({ identity: key.privateKey, known_hosts: ssh.knownHosts }),
    });
    expect(result.changed).toBe(true);
    const log = await readFile(argvLog, 'utf8');
    expect(log).toContain('ssh -F /dev/null');
    const keyBody = key.privateKey.split('\n')[1] as string;
    expect(log).not.toContain(keyBody);
  });
});
