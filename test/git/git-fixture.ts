import { execFile } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway OpenPGP key in its own GNUPGHOME, for signing commits and tags. */
export interface GpgKey {
  home: string;
  fingerprint: string;
  /** ASCII-armored public key, as a `verify.secretRef` Secret holds it. */
  publicKey: string;
}

async function tool(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  try {
    const { stdout } = await run(command, [...args], { ...options, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** Creates an ed25519 signing key without a passphrase in a new GNUPGHOME under `dir`. */
export async function createGpgKey(dir: string, name: string): Promise<GpgKey> {
  const home = join(dir, `gnupg-${name}`);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const gpg = (args: string[]) => tool('gpg', ['--homedir', home, '--batch', ...args]);
  await gpg([
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    '--quick-gen-key',
    `${name} <${name}@example.com>`,
    'ed25519',
    'sign',
    '1d',
  ]);
  const listing = await gpg(['--with-colons', '--list-keys']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint in gpg output for ${name}`);
  const publicKey = await gpg(['--armor', '--export', fingerprint]);
  return { home, fingerprint, publicKey };
}

/** Stops the gpg-agent a key's GNUPGHOME started. */
export async function disposeGpgKey(key: GpgKey): Promise<void> {
  await tool('gpgconf', ['--homedir', key.home, '--kill', 'gpg-agent']).catch(() => '');
}

/** A bare repository served by the test servers plus a working clone to commit from. */
export interface TestRepo {
  /** Absolute path of the bare repository (`<projectRoot>/<name>.git`). */
  readonly barePath: string;
  /** Path relative to the HTTP project root: `/<name>.git`. */
  readonly httpPath: string;
  /** Writes files (path → content; `null` deletes), commits and pushes; returns the commit hash. */
  commit(
    files: Readonly<Record<string, string | null>>,
    message: string,
    options?: { sign?: GpgKey; branch?: string; executable?: readonly string[] },
  ): Promise<string>;
  /** Creates and pushes a tag at HEAD of the working clone (lightweight unless `message`). */
  tag(name: string, options?: { message?: string; sign?: GpgKey }): Promise<void>;
  /** Adds a symlink in the working tree (committed with the next `commit`). */
  symlink(path: string, target: string): Promise<void>;
  /** Runs git in the working clone. */
  git(args: readonly string[], sign?: GpgKey): Promise<string>;
}

function gitEnv(home: string, sign?: GpgKey): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Author',
    GIT_COMMITTER_EMAIL: 'author@example.com',
    ...(sign ? { GNUPGHOME: sign.home } : {}),
  };
}

/** Creates `<projectRoot>/<name>.git` (default branch master) and a working clone in `workRoot`. */
export async function createTestRepo(options: {
  projectRoot: string;
  workRoot: string;
  name: string;
}): Promise<TestRepo> {
  const barePath = join(options.projectRoot, `${options.name}.git`);
  const work = join(options.workRoot, options.name);
  await mkdir(options.workRoot, { recursive: true });
  const home = options.workRoot;
  const git = (args: readonly string[], sign?: GpgKey, cwd = work) => {
    const signing = sign
      ? ['-c', `user.signingkey=${sign.fingerprint}`, '-c', 'gpg.program=gpg']
      : [];
    return tool('git', [...signing, ...args], { cwd, env: gitEnv(home, sign) });
  };
  await git(
    ['init', '--quiet', '--bare', '--initial-branch=master', barePath],
    undefined,
    options.workRoot,
  );
  await git(['init', '--quiet', '--initial-branch=master', work], undefined, options.workRoot);
  await git(['remote', 'add', 'origin', barePath]);
  return {
    barePath,
    httpPath: `/${options.name}.git`,
    git,
    async commit(files, message, { sign, branch, executable = [] } = {}) {
      if (branch) await git(['checkout', '--quiet', '-B', branch]);
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) {
          await git(['rm', '--quiet', '-r', '--', path]);
          continue;
        }
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
      for (const path of executable) await chmod(join(work, path), 0o755);
      await git(['add', '--all']);
      await git(
        ['commit', '--quiet', '--allow-empty', ...(sign ? ['-S'] : []), '-m', message],
        sign,
      );
      const current = (await git(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${current}`]);
      return (await git(['rev-parse', 'HEAD'])).trim();
    },
    async tag(name, { message, sign } = {}) {
      const kind = sign ? ['-s', '-m', message ?? name] : message ? ['-a', '-m', message] : [];
      await git(['tag', ...kind, name], sign);
      await git(['push', '--quiet', 'origin', `refs/tags/${name}`]);
    },
    async symlink(path, target) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await symlink(target, join(work, path));
    },
  };
}
