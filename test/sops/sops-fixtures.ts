import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { ageKeySource, type KeySource, pgpKeySource } from '../../sops/index.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool with stdin closed. (The shared runTool writes to stdin, which raises an
 * unhandled EPIPE when a tool such as gpg exits before reading it.)
 */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

function sshString(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A fresh ed25519 key as an OpenSSH private key text and `ssh-ed25519 …` public line. */
export function generateSshEd25519(): { privateKey: string; publicKey: string } {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  const wire = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4);
  let section = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString('interop'),
  ]);
  for (let pad = 1; section.length % 8 !== 0; pad++)
    section = Buffer.concat([section, Buffer.from([pad])]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const blob = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    count,
    sshString(wire),
    sshString(section),
  ]);
  const body = blob.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${wire.toString('base64')} interop`,
  };
}

function mpint(base64url: string | undefined): Buffer {
  const bytes = Buffer.from(base64url ?? '', 'base64url');
  return sshString((bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function openSshPrivateKey(wire: Buffer, keyFields: Buffer): string {
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, keyFields, sshString('interop')]);
  for (let pad = 1; section.length % 8 !== 0; pad++)
    section = Buffer.concat([section, Buffer.from([pad])]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const blob = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    count,
    sshString(wire),
    sshString(section),
  ]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob.toString('base64').replace(/.{1,70}/g, '$&\n')}-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A fresh 2048-bit RSA key as an OpenSSH private key text and `ssh-rsa …` public line. */
export function generateSshRsa(): { privateKey: string; publicKey: string } {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk',
  });
  const wire = Buffer.concat([sshString('ssh-rsa'), mpint(jwk.e), mpint(jwk.n)]);
  const fields = Buffer.concat([
    sshString('ssh-rsa'),
    mpint(jwk.n),
    mpint(jwk.e),
    mpint(jwk.d),
    mpint(jwk.qi),
    mpint(jwk.p),
    mpint(jwk.q),
  ]);
  return {
    privateKey: openSshPrivateKey(wire, fields),
    publicKey: `ssh-rsa ${wire.toString('base64')} interop`,
  };
}

/** Keys for interop tests: two age identities and one gpg key in a temporary GNUPGHOME. */
export interface InteropKeys {
  dir: string;
  /** Environment for the real sops: key file, GNUPGHOME, no user config. */
  env: NodeJS.ProcessEnv;
  age: Array<{ identity: string; recipient: string }>;
  /** An ssh-ed25519 key for age's SSH recipient type. */
  ssh: { privateKey: string; publicKey: string };
  pgp: { fingerprint: string; secret: string; public: string };
  /** Key sources holding every key. */
  all: KeySource[];
  stop(): Promise<void>;
}

async function mustRun(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, { env, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`${command} ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

export async function createInteropKeys(): Promise<InteropKeys> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-sops-interop-'));
  const gnupgHome = join(dir, 'gnupg');
  await mustRun('mkdir', ['-m', '700', gnupgHome], process.env);
  // Two X25519 identities and (index 2) a post-quantum hybrid one (age ≥ 1.3).
  const age = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const identity = i === 2 ? await generateHybridIdentity() : await generateIdentity();
      return { identity, recipient: await identityToRecipient(identity) };
    }),
  );
  const keyFile = join(dir, 'keys.txt');
  await writeFile(keyFile, `${age.map((a) => a.identity).join('\n')}\n`, { mode: 0o600 });
  const ssh = generateSshEd25519();
  const sshKeyFile = join(dir, 'id_ed25519');
  await writeFile(sshKeyFile, ssh.privateKey, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SOPS_AGE_SSH_PRIVATE_KEY_FILE: sshKeyFile,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    GNUPGHOME: gnupgHome,
    SOPS_AGE_KEY_FILE: keyFile,
  };
  delete env.SOPS_AGE_KEY;
  await mustRun(
    'gpg',
    [
      '--batch',
      '--passphrase',
      '',
      '--quick-gen-key',
      'kustodian interop <interop@example.invalid>',
      'default',
      'default',
      'never',
    ],
    env,
  );
  const colons = await mustRun('gpg', ['--batch', '--list-secret-keys', '--with-colons'], env);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (!fingerprint) throw new Error('gpg did not report a fingerprint');
  const secret = await mustRun(
    'gpg',
    ['--batch', '--armor', '--export-secret-keys', fingerprint],
    env,
  );
  const publicKey = await mustRun('gpg', ['--batch', '--armor', '--export', fingerprint], env);
  const all = [
    ageKeySource([...age.map((a) => a.identity), ssh.privateKey]),
    pgpKeySource({ privateKeys: [{ armored: secret }], publicKeys: [publicKey] }),
  ];
  return {
    dir,
    env,
    age,
    ssh,
    pgp: { fingerprint, secret, public: publicKey },
    all,
    async stop() {
      await run('gpgconf', ['--kill', 'gpg-agent'], { env });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the real sops and returns the bytes it wrote to `--output`. */
export async function sopsToFile(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: string,
): Promise<{ code: number | null; stderr: string; bytes: Buffer }> {
  await rm(out, { force: true });
  const result = await run('sops', ['--disable-version-check', '--output', out, ...args], {
    env,
    timeoutMs: 60_000,
  });
  const bytes = result.code === 0 ? await readFile(out) : Buffer.alloc(0);
  return { code: result.code, stderr: result.stderr, bytes };
}
