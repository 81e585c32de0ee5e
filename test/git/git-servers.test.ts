import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import {
  generateSshKey,
  type SshGitServer,
  type SshKeyPair,
  startSshGitServer,
} from './ssh-git-server.ts';
import { createTestPki, type TestPki } from './tls-pki.ts';

const run = promisify(execFile);

let work: string;
let pki: TestPki;
let https: HttpsGitServer;
let ssh: SshGitServer;
let key: SshKeyPair;
let repo: TestRepo;
let head: string;

/** Encodes git pkt-lines; `null` is a flush packet, `'delim'` a delimiter. */
function pktLines(lines: Array<string | null>): Buffer {
  return Buffer.from(
    lines
      .map((line) =>
        line === null
          ? '0000'
          : line === 'delim'
            ? '0001'
            : `${(line.length + 4).toString(16).padStart(4, '0')}${line}`,
      )
      .join(''),
  );
}

function post(
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${https.baseUrl}${path}`,
      { method: 'POST', ca: pki.caCert, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-servers-'));
  pki = await createTestPki(work);
  key = await generateSshKey(work, 'client');
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'r',
  });
  head = await repo.commit({ 'a.txt': 'a\n' }, 'one');
  https = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  ssh = await startSshGitServer({ dir: join(work, 'sshd'), authorizedKeys: [key.publicKey] });
});

afterAll(async () => {
  await https?.stop();
  await ssh?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('HTTPS git server', () => {
  it('passes a gzip-compressed protocol v2 request body to git-http-backend', async () => {
    const body = gzipSync(
      pktLines(['command=ls-refs\n', 'delim', 'ref-prefix refs/heads/\n', null]),
    );
    const response = await post('/r.git/git-upload-pack', body, {
      'Content-Type': 'application/x-git-upload-pack-request',
      'Content-Encoding': 'gzip',
      'Git-Protocol': 'version=2',
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain(`${head} refs/heads/master`);
  });

  it('answers 401 with a Basic challenge when auth is on, and comes back on the same port', async () => {
    https.setAuth({ kind: 'basic', username: 'u', password: 'p' });
    const port = https.port;
    try {
      const denied = await post('/r.git/git-upload-pack', Buffer.alloc(0), {});
      expect(denied.status).toBe(401);
      await https.stop();
      expect(https.isRunning()).toBe(false);
      await expect(post('/r.git/git-upload-pack', Buffer.alloc(0), {})).rejects.toThrow(
        /ECONNREFUSED/,
      );
      await https.start();
      expect(https.port).toBe(port);
    } finally {
      https.setAuth({ kind: 'none' });
    }
  });
});

describe('SSH git server', () => {
  async function sshRun(
    command: string,
  ): Promise<{ code: number; stderr: string; stdout: string }> {
    const identity = join(work, 'id');
    const knownHosts = join(work, 'known_hosts');
    await writeFile(identity, key.privateKey, { mode: 0o600 });
    await writeFile(knownHosts, `${ssh.knownHosts}\n`);
    const args = [
      '-F',
      '/dev/null',
      '-i',
      identity,
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-p',
      String(ssh.port),
      'root@127.0.0.1',
      command,
    ];
    try {
      const { stdout, stderr } = await run('ssh', args, { timeout: 15_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stderr?: string; stdout?: string };
      return { code: e.code ?? -1, stderr: e.stderr ?? '', stdout: e.stdout ?? '' };
    }
  }

  it('serves git-upload-pack for an authorized key', async () => {
    await sshRun('true'); // writes the identity and known_hosts files
    const sshCommand = `ssh -F /dev/null -i ${join(work, 'id')} -o UserKnownHostsFile=${join(work, 'known_hosts')} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
    const result = await run('git', ['ls-remote', ssh.urlFor(repo.barePath)], {
      env: { PATH: process.env.PATH, HOME: work, GIT_SSH_COMMAND: sshCommand },
    });
    expect(result.stdout).toContain(`${head}\trefs/heads/master`);
  });

  it('refuses anything but git commands (git-shell behind a forced command)', async () => {
    const result = await sshRun('cat /etc/hostname');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
  });
});
