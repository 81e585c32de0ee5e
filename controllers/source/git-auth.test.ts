import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGitSession } from './git-auth.ts';
import { GitError } from './git-error.ts';

const secret = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)]));

describe('openGitSession', () => {
  it.each([
    { name: 'file scheme', url: 'file:///tmp/r' },
    { name: 'scp-like address', url: 'git@github.com:org/repo.git' },
    { name: 'password in an https URL', url: 'https://user:hunter2-secret@h/r.git' },
    { name: 'token as https user', url: 'https://ghp_token123@h/r.git' },
    { name: 'password in an ssh URL', url: 'ssh://git:hunter2-secret@h/r.git' },
  ])('$name is InvalidURL and the message hides credentials', async ({ url }) => {
    const error = (await openGitSession(url).catch((e: unknown) => e)) as GitError;
    expect(error.code).toBe('InvalidURL');
    expect(error.message).not.toMatch(/hunter2|ghp_token123/);
  });

  it('keeps HTTPS credentials in 0600 files, out of the environment, and removes them', async () => {
    const session = await openGitSession(
      'https://git.example/r.git',
      secret({ username: 'u', password: 'p4ssw0rd-x', bearerToken: '' }),
    );
    const home = session.env.HOME as string;
    try {
      expect(JSON.stringify(session.env)).not.toContain('p4ssw0rd-x');
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      for (const name of await readdir(home)) {
        const mode = (await stat(join(home, name))).mode & 0o777;
        expect([0o600, 0o700]).toContain(mode);
      }
      expect(await readFile(join(home, 'password'), 'utf8')).toBe('p4ssw0rd-x');
      expect(session.secrets).toContain('p4ssw0rd-x');
    } finally {
      await session.dispose();
    }
    await expect(stat(home)).rejects.toThrow();
  });

  it('puts a bearer token in the private gitconfig, not in the environment', async () => {
    const session = await openGitSession(
      'https://git.example/r.git',
      secret({ bearerToken: 'tok-123456' }),
    );
    try {
      expect(JSON.stringify(session.env)).not.toContain('tok-123456');
      expect(await readFile(join(session.env.HOME as string, '.gitconfig'), 'utf8')).toContain(
        'Authorization: Bearer tok-123456',
      );
    } finally {
      await session.dispose();
    }
  });

  it('builds an ssh command that names files only', async () => {
    const session = await openGitSession(
      'ssh://git@h/r.git',
      secret({ identity: 'KEYDATA', known_hosts: 'h ssh-ed25519 AAAA' }),
    );
    try {
      expect(session.env.GIT_SSH_COMMAND).toContain('StrictHostKeyChecking=yes');
      expect(session.env.GIT_SSH_COMMAND).not.toContain('KEYDATA');
      expect(await readFile(join(session.env.HOME as string, 'identity'), 'utf8')).toBe(
        'KEYDATA\n',
      );
    } finally {
      await session.dispose();
    }
  });

  it.each([
    {
      name: 'username without password',
      url: 'https://h/r',
      data: { username: 'u' },
      key: 'password',
    },
    {
      name: 'basic and bearer together',
      url: 'https://h/r',
      data: { username: 'u', password: 'p', bearerToken: 't' },
      key: 'bearerToken',
    },
    {
      name: 'tls.crt without tls.key',
      url: 'https://h/r',
      data: { 'tls.crt': 'c' },
      key: 'tls.key',
    },
    {
      name: 'ssh without known_hosts',
      url: 'ssh://git@h/r',
      data: { identity: 'k' },
      key: 'known_hosts',
    },
  ])('$name is InvalidSecret naming $key', async ({ url, data, key }) => {
    const error = await openGitSession(url, secret(data)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).code).toBe('InvalidSecret');
    expect((error as GitError).message).toContain(key);
  });
});
