import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KeyEntry } from '../metadata.ts';
import { type KeySource, nowRfc3339 } from './key-source.ts';

/** A HashiCorp Vault / OpenBao transit key, as sops names it. */
export interface VaultTransitKey {
  /** scheme://host[:port], as in `vault_address`. */
  address: string;
  /** Mount path of the transit engine (`engine_path`), e.g. `transit` or `team/transit`. */
  enginePath: string;
  /** `key_name` */
  keyName: string;
}

export interface VaultTransitKeySourceOptions {
  /**
   * The Vault token. Undefined: `VAULT_TOKEN`, else `~/.vault-token`, read from `env` when the
   * key is used (what the sops CLI and Vault's own client do).
   */
  token?: string | undefined;
  /** Sent as `X-Vault-Namespace`; undefined: `VAULT_NAMESPACE` from `env`. */
  namespace?: string | undefined;
  /**
   * sops' `SOPS_HC_VAULT_ALLOWLIST`: the Vault addresses a token may be sent to (URL prefixes),
   * `'all'` or `'none'`. Undefined: the variable from `env`, else all (sops' default).
   */
  allowlist?: string | undefined;
  /** Where the fallbacks above are read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Budget for one wrap or unwrap, retries included; default 30 s. */
  timeoutMs?: number;
  /** Attempts for failures a retry can fix (connection errors, 5xx, 429); default 3. */
  maxAttempts?: number;
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ATTEMPTS = 3;

/**
 * Splits `https://vault:8200/v1/<mount>/keys/<name>` into its parts, with the checks sops makes
 * (a scheme, a `/v<N>/` API prefix directly after the host, at least mount + `keys` + name).
 */
export function parseVaultTransitUri(uri: string): VaultTransitKey {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    throw new Error(
      `"${uri}" is not a Vault transit key URI (e.g. https://vault.example.com:8200/v1/transit/keys/name)`,
    );
  }
  const dirs = url.pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (dirs.length < 4 || !/^v\d+$/.test(dirs[0] ?? ''))
    throw new Error(
      `"${uri}": the Vault path must look like /v1/<mount>/keys/<name> directly after the host`,
    );
  return {
    address: `${url.protocol}//${url.host}`,
    enginePath: dirs.slice(1, -2).join('/'),
    keyName: dirs.at(-1) ?? '',
  };
}

/** The URI sops prints for a key (`<address>/v1/<mount>/keys/<name>`). */
export function vaultTransitUri(key: VaultTransitKey): string {
  return `${key.address}/v1/${key.enginePath}/keys/${key.keyName}`;
}

function keyFromEntry(entry: KeyEntry): VaultTransitKey {
  const f = entry.fields;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const key = {
    address: text(f.vault_address),
    enginePath: text(f.engine_path),
    keyName: text(f.key_name),
  };
  if (!key.address || !key.enginePath || !key.keyName)
    throw new Error('the hc_vault entry lacks vault_address, engine_path or key_name');
  return key;
}

/**
 * Reads a Flux decryption Secret's `sops.vault-token` entry: the token, surrounding whitespace
 * removed (as kustomize-controller does).
 */
export function parseVaultSecretEntry(value: Uint8Array): { token: string } {
  const token = Buffer.from(value).toString('utf8').trim();
  if (token === '') throw new Error('decryption Secret entry "sops.vault-token" is empty');
  if (/\s/.test(token))
    throw new Error(
      'decryption Secret entry "sops.vault-token" must hold one token (it contains whitespace)',
    );
  return { token };
}

async function defaultToken(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.VAULT_TOKEN) return env.VAULT_TOKEN.trim();
  const path = join(env.HOME || homedir(), '.vault-token');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new Error(`could not read the Vault token file ${path}`);
  }
}

/** sops' allowlist: `all`, `none`, or comma-separated address prefixes. */
function isAllowed(address: string, allowlist: string | undefined): boolean {
  const list = (allowlist ?? '').trim();
  if (list === '' || list === 'all') return true;
  if (list === 'none') return false;
  const withSlash = (s: string) => (s.endsWith('/') ? s : `${s}/`);
  return list
    .split(',')
    .map((s) => s.trim())
    .some((prefix) => prefix !== '' && withSlash(address).startsWith(withSlash(prefix)));
}

class RetryableError extends Error {}

interface CallContext {
  key: VaultTransitKey;
  operation: 'encrypt' | 'decrypt';
  body: Record<string, string>;
}

// Vault's error strings ("permission denied", "invalid ciphertext: …") carry no secrets, but a
// misbehaving proxy could echo the request; never let the token through.
function vaultReason(status: number, json: unknown, token: string): string {
  const errors = (json as { errors?: unknown } | null)?.errors;
  // Vault joins several errors as "2 errors occurred:\n\t* a\n\t* b"; keep just a and b.
  const items = (Array.isArray(errors) ? errors.map(String) : [])
    .flatMap((e) => (/^\s*\*/m.test(e) ? e.split('\n').filter((l) => /^\s*\*/.test(l)) : [e]))
    .map((e) =>
      e
        .replace(/^\s*\*\s*/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
  const text = `${status}${items.length ? ` (${items.join('; ').slice(0, 300)})` : ''}`;
  return token ? text.replaceAll(token, '<token>') : text;
}

/**
 * Key source for HashiCorp Vault / OpenBao transit (`hc_vault`): the data key is sent base64
 * encoded to `POST <address>/v1/<mount>/encrypt/<key>` and the `vault:v1:…` ciphertext stored
 * in `enc`, exactly as sops does. Recipients are key URIs (`…/v1/<mount>/keys/<name>`).
 * Every call has a deadline and bounded retries with backoff; errors name the key, never the
 * token or the data key.
 */
export function vaultTransitKeySource(options: VaultTransitKeySourceOptions = {}): KeySource {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  const doFetch = options.fetch ?? fetch;
  let token: Promise<string> | undefined;

  async function attempt(call: CallContext, secret: string, signal: AbortSignal) {
    const { key, operation, body } = call;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers['x-vault-token'] = secret;
    const namespace = options.namespace ?? env.VAULT_NAMESPACE;
    if (namespace) headers['x-vault-namespace'] = namespace;
    let response: Response;
    try {
      response = await doFetch(`${key.address}/v1/${key.enginePath}/${operation}/${key.keyName}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message;
      throw new RetryableError(`could not connect${why ? ` (${why.slice(0, 100)})` : ''}`);
    }
    const json: unknown = await response.json().catch(() => null);
    if (response.ok) return json;
    const reason = vaultReason(response.status, json, secret);
    // 412: a performance standby has not caught up yet; Vault's client retries it too.
    if (response.status >= 500 || response.status === 429 || response.status === 412)
      throw new RetryableError(`Vault answered ${reason}`);
    throw new Error(`Vault answered ${reason}`);
  }

  // One budget for the whole call: a hanging server ends it at the deadline, fast failures
  // (refused connection, 5xx) are retried with exponential backoff inside it.
  async function send(ctx: CallContext, secret: string): Promise<unknown> {
    const deadline = AbortSignal.timeout(timeoutMs);
    let last = '';
    for (let n = 1; ; n++) {
      try {
        return await attempt(ctx, secret, deadline);
      } catch (error) {
        if (deadline.aborted)
          throw new Error(
            `no answer within ${timeoutMs / 1000}s${last ? ` (earlier attempt: ${last})` : ''}`,
          );
        if (!(error instanceof RetryableError) || n >= maxAttempts)
          throw new Error(
            `${error instanceof Error ? error.message : 'failed'}${n > 1 ? ` (${n} attempts)` : ''}`,
          );
        last = error.message;
      }
      const backoff = Math.min(2000, 200 * 2 ** (n - 1)) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        deadline.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }

  async function call(ctx: CallContext, field: 'plaintext' | 'ciphertext'): Promise<string> {
    const where = `Vault transit ${ctx.operation} with ${vaultTransitUri(ctx.key)}`;
    if (!isAllowed(ctx.key.address, options.allowlist ?? env.SOPS_HC_VAULT_ALLOWLIST))
      throw new Error(`${where}: the address is not in SOPS_HC_VAULT_ALLOWLIST`);
    token ??= options.token !== undefined ? Promise.resolve(options.token) : defaultToken(env);
    let secret: string;
    let json: unknown;
    try {
      secret = await token;
      if (!secret) throw new Error('no Vault token (set VAULT_TOKEN or write ~/.vault-token)');
      json = await send(ctx, secret);
    } catch (error) {
      throw new Error(`${where}: ${error instanceof Error ? error.message : 'failed'}`);
    }
    const value = (json as { data?: Record<string, unknown> } | null)?.data?.[field];
    if (typeof value !== 'string') throw new Error(`${where}: the response has no ${field}`);
    return value;
  }

  return {
    type: 'hc_vault',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      const key = keyFromEntry(entry);
      const plaintext = await call(
        { key, operation: 'decrypt', body: { ciphertext: entry.enc } },
        'plaintext',
      );
      return Buffer.from(plaintext, 'base64');
    },
    async wrap(recipient: string, part: Uint8Array): Promise<KeyEntry> {
      const key = parseVaultTransitUri(recipient);
      const ciphertext = await call(
        { key, operation: 'encrypt', body: { plaintext: Buffer.from(part).toString('base64') } },
        'ciphertext',
      );
      return {
        type: 'hc_vault',
        enc: ciphertext,
        fields: {
          created_at: nowRfc3339(),
          engine_path: key.enginePath,
          key_name: key.keyName,
          vault_address: key.address,
        },
      };
    },
  };
}
