import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import {
  ageKeySource,
  awsKmsKeySource,
  azureKeyVaultKeySource,
  gcpKmsKeySource,
  gcpKmsOptionsFromEnv,
  type KeySource,
  type KeyType,
  parseAgeIdentities,
  vaultTransitKeySource,
} from '../sops/index.ts';
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

/**
 * The AWS endpoint the Go SDK behind sops would use for a service: `AWS_ENDPOINT_URL_<SERVICE>`,
 * else `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
 */
export function awsEndpoint(env: NodeJS.ProcessEnv, service: 'KMS' | 'STS'): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * A key source built only when a file first needs it, for sources whose options cost I/O to
 * gather (reading credential files): an age-only decrypt never pays for them.
 */
export function onDemandKeySource(type: KeyType, build: () => KeySource): KeySource {
  let source: KeySource | undefined;
  const get = () => {
    source ??= build();
    return source;
  };
  return {
    type,
    unwrap: (entry) => get().unwrap(entry),
    wrap: async (recipient, part) => {
      const built = get();
      if (!built.wrap) throw new Error(`cannot encrypt for ${type} keys`);
      return built.wrap(recipient, part);
    },
  };
}

/**
 * The cloud key sources, with credentials from the environment as sops finds them: Vault from
 * VAULT_TOKEN / ~/.vault-token (VAULT_NAMESPACE, SOPS_HC_VAULT_ALLOWLIST), AWS from the SDK's
 * default chain and the entry's aws_profile. Nothing is loaded or read before a file names such
 * a key: each SDK is imported when its source is first used.
 */
export function cloudKeySources(env: NodeJS.ProcessEnv = process.env): KeySource[] {
  return [
    awsKmsKeySource({ endpoint: awsEndpoint(env, 'KMS'), stsEndpoint: awsEndpoint(env, 'STS') }),
    vaultTransitKeySource({ env }),
    // GOOGLE_CREDENTIALS may name a file: read it only when a file names a GCP key.
    onDemandKeySource('gcp_kms', () =>
      gcpKmsKeySource(gcpKmsOptionsFromEnv(env, (path) => readIfPresent(path) || undefined)),
    ),
    // DefaultAzureCredential, as sops: AZURE_* variables, workload identity, managed identity, az.
    azureKeyVaultKeySource(),
  ];
}

/**
 * The key sources the CLI uses: found age identities, OpenPGP through the user's gpg, then the
 * cloud key sources (sops' order: age, PGP, the rest).
 */
export function discoverKeySources(env: NodeJS.ProcessEnv = process.env): KeySource[] {
  return [ageKeySource(findAgeIdentities(env)), gpgKeySource(env), ...cloudKeySources(env)];
}
