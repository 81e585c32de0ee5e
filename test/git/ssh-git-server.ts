import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../harness/wait-for.ts';
import { findFreePort } from '../testbed/index.ts';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export interface SshKeyPair {
  /** OpenSSH private key (PEM-like text). */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
}

/** Generates an ed25519 key with ssh-keygen; the passphrase goes in an argument (test-only). */
export async function generateSshKey(
  dir: string,
  name: string,
  passphrase = '',
): Promise<SshKeyPair> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path]);
  return {
    privateKey: await readFile(path, 'utf8'),
    publicKey: (await readFile(`${path}.pub`, 'utf8')).trim(),
  };
}

export interface SshGitServer {
  readonly port: number;
  /** The `known_hosts` line for this server's host key, as Flux secrets carry it. */
  readonly knownHosts: string;
  /** `ssh://root@127.0.0.1:<port><absolutePath>` */
  urlFor(absoluteRepoPath: string): string;
  stop(): Promise<void>;
}

/** Resolves when the port answers with an SSH banner. */
function hasBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('SSH-2.0'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Debian's sshd on a free loopback port with its own config and host key. Only the given keys
 * may log in (as root, the only user of this sandbox), and only to run git-upload-pack or
 * git-receive-pack, through git-shell.
 */
export async function startSshGitServer(options: {
  dir: string;
  authorizedKeys: readonly string[];
}): Promise<SshGitServer> {
  const { dir } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // sshd insists on its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'git-test-host', '-f', hostKey]);
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8'))
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ');
  const restrict = 'restrict,command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\""';
  await writeFile(
    join(dir, 'authorized_keys'),
    options.authorizedKeys.map((key) => `${restrict} ${key}\n`).join(''),
    { mode: 0o600 },
  );
  const port = await findFreePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'AllowUsers root',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'AcceptEnv GIT_PROTOCOL',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config, '-E', join(dir, 'sshd.log')], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      `sshd on port ${port}`,
      async () => ((await hasBanner(port)) ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
  } catch (error) {
    child.kill('SIGKILL');
    const log = await readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '');
    throw new Error(`sshd did not start: ${log.trim()}`, { cause: error });
  }
  return {
    port,
    knownHosts: `[127.0.0.1]:${port} ${hostPub}`,
    urlFor: (path) => `ssh://root@127.0.0.1:${port}${path}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
