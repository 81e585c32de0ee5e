import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError } from './git-error.ts';

/** The data of the Secret named by `spec.secretRef`, keyed as Flux documents it. */
export type GitSecretData = Readonly<Record<string, Buffer | Uint8Array>>;

export type GitTransport = 'http' | 'https' | 'ssh';

/**
 * A private directory (0700) holding everything one git operation needs: a HOME with its own
 * `.gitconfig`, credential files (0600) and askpass scripts that read them. Credentials reach
 * git only through these files, never through an argument, a URL or an environment value.
 */
export interface GitSession {
  readonly transport: GitTransport;
  /** The complete environment for git; nothing is inherited but PATH. */
  readonly env: Readonly<Record<string, string>>;
  /** Values to scrub from any message before it leaves this module. */
  readonly secrets: readonly string[];
  /** Removes the directory and every credential file in it. */
  dispose(): Promise<void>;
}

/** Debian's bundle of the system's trusted roots. */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Proxy settings of the controller's environment, which git's curl honours as Flux does. */
function proxyEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
  ]) {
    const value = process.env[name];
    if (value) out[name] = value;
  }
  return out;
}

/** Flux accepts http, https and ssh URLs only; credentials belong in the Secret, not the URL. */
export function transportOf(url: string): GitTransport {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const scheme = parsed?.protocol.replace(/:$/, '');
  if (parsed === undefined || (scheme !== 'http' && scheme !== 'https' && scheme !== 'ssh')) {
    throw new GitError(
      'InvalidURL',
      `URL '${redactUrl(url)}' is not supported; use http://, https:// or ssh://`,
    );
  }
  if (parsed.password !== '' || (scheme !== 'ssh' && parsed.username !== '')) {
    throw new GitError(
      'InvalidURL',
      `URL '${redactUrl(url)}' must not hold credentials; put them in the secretRef Secret`,
    );
  }
  return scheme;
}

/** The URL with any `user:password@` replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

function text(data: GitSecretData | undefined, key: string): string | undefined {
  const value = data?.[key];
  if (value === undefined) return undefined;
  const s = Buffer.from(value).toString('utf8');
  return s.length > 0 ? s : undefined;
}

/** Quotes a value for a git config file: backslash and double quote escaped, newlines refused. */
function configValue(value: string, key: string): string {
  if (/[\r\n]/.test(value))
    throw new GitError('InvalidSecret', `secret key '${key}' must be one line`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

async function writeScript(path: string, body: string): Promise<void> {
  await writeFile(path, `#!/bin/sh\n${body}\n`, { mode: 0o700 });
  await chmod(path, 0o700);
}

interface SessionParts {
  dir: string;
  config: string[];
  env: Record<string, string>;
  secrets: string[];
}

async function addHttpAuth(parts: SessionParts, data: GitSecretData | undefined): Promise<void> {
  const { dir, config, env, secrets } = parts;
  const username = text(data, 'username');
  const password = text(data, 'password');
  const bearerToken = text(data, 'bearerToken');
  if ((username === undefined) !== (password === undefined)) {
    throw new GitError(
      'InvalidSecret',
      "secret needs both 'username' and 'password' for basic auth, or neither",
    );
  }
  if (bearerToken !== undefined && username !== undefined) {
    throw new GitError(
      'InvalidSecret',
      "secret has both 'bearerToken' and 'username'/'password'; keep one of them",
    );
  }
  if (username !== undefined && password !== undefined) {
    secrets.push(password);
    await writePrivate(join(dir, 'username'), username);
    await writePrivate(join(dir, 'password'), password);
    const askpass = join(dir, 'git-askpass');
    // git asks "Username for …" then "Password for …"; the script answers from the files.
    await writeScript(
      askpass,
      `case "$1" in\n  Username*) cat ${shellQuote(join(dir, 'username'))} ;;\n  *) cat ${shellQuote(join(dir, 'password'))} ;;\nesac`,
    );
    env.GIT_ASKPASS = askpass;
  }
  if (bearerToken !== undefined) {
    secrets.push(bearerToken);
    config.push(
      `\textraHeader = ${configValue(`Authorization: Bearer ${bearerToken}`, 'bearerToken')}`,
    );
  }
  const ca = text(data, 'ca.crt') ?? text(data, 'caFile');
  if (ca !== undefined) {
    // git replaces the system roots with sslCAInfo; Flux (go-git) adds the CA to them.
    const system = await readFile(SYSTEM_CA_BUNDLE, 'utf8').catch(() => '');
    await writePrivate(
      join(dir, 'ca.crt'),
      `${system}${system.endsWith('\n') || system === '' ? '' : '\n'}${ca}`,
    );
    config.push(`\tsslCAInfo = ${configValue(join(dir, 'ca.crt'), 'ca.crt')}`);
  }
  const cert = text(data, 'tls.crt') ?? text(data, 'certFile');
  const key = text(data, 'tls.key') ?? text(data, 'keyFile');
  if ((cert === undefined) !== (key === undefined)) {
    throw new GitError(
      'InvalidSecret',
      "secret needs both 'tls.crt' and 'tls.key' for a client certificate",
    );
  }
  if (cert !== undefined && key !== undefined) {
    secrets.push(key);
    await writePrivate(join(dir, 'tls.crt'), cert);
    await writePrivate(join(dir, 'tls.key'), key);
    config.push(`\tsslCert = ${configValue(join(dir, 'tls.crt'), 'tls.crt')}`);
    config.push(`\tsslKey = ${configValue(join(dir, 'tls.key'), 'tls.key')}`);
  }
}

async function addSshAuth(
  parts: SessionParts,
  data: GitSecretData | undefined,
  timeoutSeconds: number,
): Promise<void> {
  const { dir, env, secrets } = parts;
  const identity = text(data, 'identity');
  const knownHosts = text(data, 'known_hosts');
  const passphrase = text(data, 'password');
  if (knownHosts === undefined) {
    throw new GitError('InvalidSecret', "secret key 'known_hosts' is required for ssh:// URLs");
  }
  const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  await writePrivate(join(dir, 'known_hosts'), withNewline(knownHosts));
  const options = [
    '-F /dev/null',
    `-o UserKnownHostsFile=${shellQuote(join(dir, 'known_hosts'))}`,
    '-o GlobalKnownHostsFile=/dev/null',
    '-o StrictHostKeyChecking=yes',
    '-o PasswordAuthentication=no',
    '-o KbdInteractiveAuthentication=no',
    '-o PreferredAuthentications=publickey',
    '-o IdentitiesOnly=yes',
    `-o ConnectTimeout=${timeoutSeconds}`,
  ];
  if (identity !== undefined) {
    secrets.push(identity);
    await writePrivate(join(dir, 'identity'), withNewline(identity));
    options.push(`-i ${shellQuote(join(dir, 'identity'))}`);
    const pub = text(data, 'identity.pub');
    if (pub !== undefined) await writePrivate(join(dir, 'identity.pub'), withNewline(pub));
  } else {
    options.push('-o IdentityFile=none');
  }
  if (passphrase !== undefined) {
    // ssh reads a key passphrase only from a tty or SSH_ASKPASS; force the latter.
    secrets.push(passphrase);
    await writePrivate(join(dir, 'passphrase'), passphrase);
    const askpass = join(dir, 'ssh-askpass');
    await writeScript(askpass, `cat ${shellQuote(join(dir, 'passphrase'))}`);
    env.SSH_ASKPASS = askpass;
    env.SSH_ASKPASS_REQUIRE = 'force';
    options.push('-o BatchMode=no', '-o NumberOfPasswordPrompts=1');
  } else {
    options.push('-o BatchMode=yes');
  }
  env.GIT_SSH_COMMAND = `ssh ${options.join(' ')}`;
  env.GIT_SSH_VARIANT = 'ssh';
}

/**
 * Prepares credentials for one git operation on `url` from the Secret's data. HTTP(S): basic
 * auth (`username`/`password`), `bearerToken`, `ca.crt`, client cert (`tls.crt`/`tls.key`).
 * SSH: `identity`, `identity.pub`, `known_hosts` (required), `password` (key passphrase).
 */
export async function openGitSession(
  url: string,
  data?: GitSecretData,
  options: { timeoutSeconds?: number } = {},
): Promise<GitSession> {
  const transport = transportOf(url);
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-git-session-'));
  await chmod(dir, 0o700);
  const parts: SessionParts = {
    dir,
    config: [],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...proxyEnv(),
      HOME: dir,
      LANG: 'C',
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROTOCOL_FROM_USER: '0',
    },
    secrets: [],
  };
  try {
    if (transport === 'ssh') await addSshAuth(parts, data, options.timeoutSeconds ?? 30);
    else await addHttpAuth(parts, data);
    const http = parts.config.length > 0 ? `[http]\n${parts.config.join('\n')}\n` : '';
    await writePrivate(
      join(dir, '.gitconfig'),
      `${http}[protocol]\n\tversion = 2\n[init]\n\tdefaultBranch = master\n[advice]\n\tdetachedHead = false\n[gc]\n\tauto = 0\n`,
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    transport,
    env: parts.env,
    secrets: parts.secrets,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
