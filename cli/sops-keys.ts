import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { ageKeySource, type KeySource, parseAgeIdentities } from '../sops/index.ts';
import { gpgKeySource } from './sops-gpg-key-source.ts';

/** sops's default age key file: `<user config dir>/sops/age/keys.txt`. */
export function defaultAgeKeyFile(env: NodeJS.ProcessEnv): string {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'sops', 'age', 'keys.txt');
  const home = env.HOME || homedir();
  if (platform() === 'darwin')
    return join(home, 'Library', 'Application Support', 'sops', 'age', 'keys.txt');
  if (platform() === 'win32') return join(env.AppData ?? home, 'sops', 'age', 'keys.txt');
  return join(home, '.config', 'sops', 'age', 'keys.txt');
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Collects age identities from every place sops looks (all of them, not the first found):
 * SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, the default keys.txt and SSH ed25519 keys.
 */
export function findAgeIdentities(env: NodeJS.ProcessEnv = process.env): string[] {
  const texts: string[] = [];
  if (env.SOPS_AGE_KEY) texts.push(env.SOPS_AGE_KEY);
  if (env.SOPS_AGE_KEY_FILE) texts.push(readIfPresent(env.SOPS_AGE_KEY_FILE));
  if (env.SOPS_AGE_KEY_CMD) {
    const result = spawnSync('sh', ['-c', env.SOPS_AGE_KEY_CMD], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (result.status === 0) texts.push(result.stdout);
  }
  texts.push(readIfPresent(defaultAgeKeyFile(env)));
  return [...new Set([...texts.flatMap(parseAgeIdentities), ...findSshIdentities(env)])];
}

/** SSH private keys age can use: SOPS_AGE_SSH_PRIVATE_KEY_FILE / _CMD, else ~/.ssh/id_ed25519 and id_rsa. */
export function findSshIdentities(env: NodeJS.ProcessEnv = process.env): string[] {
  const found: string[] = [];
  if (env.SOPS_AGE_SSH_PRIVATE_KEY_FILE)
    found.push(readIfPresent(env.SOPS_AGE_SSH_PRIVATE_KEY_FILE));
  if (env.SOPS_AGE_SSH_PRIVATE_KEY_CMD) {
    const result = spawnSync('sh', ['-c', env.SOPS_AGE_SSH_PRIVATE_KEY_CMD], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (result.status === 0) found.push(result.stdout);
  }
  if (found.length === 0)
    found.push(readIfPresent(join(env.HOME || homedir(), '.ssh', 'id_ed25519')));
  return found
    .map((text) => text.trim())
    .filter((text) => text.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----'));
}

/** The key sources the CLI uses: found age identities, and OpenPGP through the user's gpg. */
export function discoverKeySources(env: NodeJS.ProcessEnv = process.env): KeySource[] {
  return [ageKeySource(findAgeIdentities(env)), gpgKeySource(env)];
}
