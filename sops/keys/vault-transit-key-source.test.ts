import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyEntry } from '../metadata.ts';
import {
  parseVaultSecretEntry,
  parseVaultTransitUri,
  vaultTransitKeySource,
} from './vault-transit-key-source.ts';

const TOKEN = 's.unit-test-token';
const URI = 'https://vault.example.com:8200/v1/transit/keys/sops';

interface Seen {
  url: string;
  headers: Record<string, string>;
  body: Record<string, string>;
}

/** A fetch that answers like Vault's transit engine (or as `answer` says) and records calls. */
function fakeVault(answer?: (n: number, seen: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    const call: Seen = {
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)) as Record<string, string>,
    };
    seen.push(call);
    if (answer) return answer(seen.length, call);
    if (call.url.includes('/encrypt/'))
      return Response.json({ data: { ciphertext: `vault:v1:${call.body.plaintext}` } });
    return Response.json({ data: { plaintext: call.body.ciphertext?.slice(9) } });
  }) as typeof fetch;
  return { fake, seen };
}

// A fetch that never answers, but gives up when its signal is aborted (as undici does).
const hangingFetch = ((_input: unknown, init?: RequestInit) =>
  new Promise((_, reject) => {
    init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
  })) as typeof fetch;

const dataKey = new Uint8Array(32).fill(7);

describe('parseVaultTransitUri', () => {
  it.each([
    {
      name: 'a plain transit key',
      input: URI,
      want: { address: 'https://vault.example.com:8200', enginePath: 'transit', keyName: 'sops' },
    },
    {
      name: 'a nested mount path',
      input: 'http://127.0.0.1:8200/v1/team/a/transit/keys/k1/',
      want: { address: 'http://127.0.0.1:8200', enginePath: 'team/a/transit', keyName: 'k1' },
    },
  ])('reads $name', ({ input, want }) => {
    expect(parseVaultTransitUri(input)).toEqual(want);
  });

  it.each([
    { name: 'no scheme', input: 'vault.example.com/v1/transit/keys/sops' },
    { name: 'a prefix before /v1/', input: 'https://h/vault/v1/transit/keys/sops' },
    { name: 'too short a path', input: 'https://h/v1/transit/sops' },
  ])('refuses $name', ({ input }) => {
    expect(() => parseVaultTransitUri(input)).toThrow(/Vault/);
  });
});

describe('parseVaultSecretEntry', () => {
  it('trims the token as kustomize-controller does', () => {
    expect(parseVaultSecretEntry(Buffer.from(`  ${TOKEN}\n`))).toEqual({ token: TOKEN });
  });

  it.each([
    { name: 'an empty entry', input: ' \n' },
    { name: 'two tokens', input: 'a b' },
  ])('refuses $name without echoing it', ({ input }) => {
    expect(() => parseVaultSecretEntry(Buffer.from(input))).toThrow(/sops\.vault-token/);
    try {
      parseVaultSecretEntry(Buffer.from(input));
    } catch (error) {
      if (input.trim()) expect(String(error)).not.toContain(input);
    }
  });
});

describe('vaultTransitKeySource', () => {
  it('wraps as sops does: base64 plaintext to /encrypt/, entry fields in sops order', async () => {
    const { fake, seen } = fakeVault();
    const source = vaultTransitKeySource({ token: TOKEN, fetch: fake, env: {} });
    const entry = await source.wrap?.(URI, dataKey);
    expect(seen[0]?.url).toBe('https://vault.example.com:8200/v1/transit/encrypt/sops');
    expect(seen[0]?.headers['x-vault-token']).toBe(TOKEN);
    expect(seen[0]?.body).toEqual({ plaintext: Buffer.from(dataKey).toString('base64') });
    expect(entry?.enc).toBe(`vault:v1:${Buffer.from(dataKey).toString('base64')}`);
    expect(Object.keys(entry?.fields ?? {})).toEqual([
      'created_at',
      'engine_path',
      'key_name',
      'vault_address',
    ]);
    expect(entry?.fields).toMatchObject({
      vault_address: 'https://vault.example.com:8200',
      engine_path: 'transit',
      key_name: 'sops',
    });
    const back = await source.unwrap(entry as KeyEntry);
    expect(seen[1]?.url).toBe('https://vault.example.com:8200/v1/transit/decrypt/sops');
    expect(Buffer.from(back)).toEqual(Buffer.from(dataKey));
  });

  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kustodian-vault-unit-'));
    await writeFile(join(home, '.vault-token'), 'from-file\n');
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it.each([
    {
      name: 'the option beats VAULT_TOKEN',
      token: 'opt',
      env: { VAULT_TOKEN: 'env' },
      want: 'opt',
    },
    {
      name: 'VAULT_TOKEN beats ~/.vault-token',
      token: undefined,
      env: { VAULT_TOKEN: 'env' },
      want: 'env',
    },
    { name: '~/.vault-token is the last resort', token: undefined, env: {}, want: 'from-file' },
  ])('token: $name', async ({ token, env, want }) => {
    const { fake, seen } = fakeVault();
    const source = vaultTransitKeySource({ token, fetch: fake, env: { ...env, HOME: home } });
    await source.wrap?.(URI, dataKey);
    expect(seen[0]?.headers['x-vault-token']).toBe(want);
  });

  it('sends VAULT_NAMESPACE as X-Vault-Namespace', async () => {
    const { fake, seen } = fakeVault();
    await vaultTransitKeySource({
      token: TOKEN,
      fetch: fake,
      env: { VAULT_NAMESPACE: 'ns1' },
    }).wrap?.(URI, dataKey);
    expect(seen[0]?.headers['x-vault-namespace']).toBe('ns1');
  });

  it('without any token, says how to give one and calls nothing', async () => {
    const { fake, seen } = fakeVault();
    const source = vaultTransitKeySource({ fetch: fake, env: { HOME: join(home, 'none') } });
    await expect(source.wrap?.(URI, dataKey)).rejects.toThrow(/no Vault token.*VAULT_TOKEN/);
    expect(seen).toHaveLength(0);
  });

  it.each([
    { name: 'an address outside the allowlist', allowlist: 'https://other.example.com', ok: false },
    { name: '"none"', allowlist: 'none', ok: false },
    { name: 'a matching prefix', allowlist: 'https://vault.example.com:8200/', ok: true },
  ])('SOPS_HC_VAULT_ALLOWLIST with $name', async ({ allowlist, ok }) => {
    const { fake, seen } = fakeVault();
    const source = vaultTransitKeySource({
      token: TOKEN,
      fetch: fake,
      env: { SOPS_HC_VAULT_ALLOWLIST: allowlist },
    });
    if (ok) await expect(source.wrap?.(URI, dataKey)).resolves.toBeDefined();
    else {
      await expect(source.wrap?.(URI, dataKey)).rejects.toThrow(/not in SOPS_HC_VAULT_ALLOWLIST/);
      expect(seen).toHaveLength(0);
    }
  });

  it('a 403 is not retried and names the key, never the token', async () => {
    const { fake, seen } = fakeVault(() =>
      Response.json(
        { errors: [`2 errors occurred:\n\t* permission denied\n\t* invalid token ${TOKEN}\n\n`] },
        { status: 403 },
      ),
    );
    const source = vaultTransitKeySource({ token: TOKEN, fetch: fake, env: {} });
    const error = await source.wrap?.(URI, dataKey).catch((e: Error) => e);
    expect(seen).toHaveLength(1);
    expect(String(error)).toContain(URI);
    expect(String(error)).toContain('403 (permission denied; invalid token <token>)');
    expect(String(error)).not.toContain(TOKEN);
  });

  it('retries a 503 with backoff and then succeeds', async () => {
    const { fake, seen } = fakeVault((n, call) =>
      n < 3
        ? Response.json({ errors: ['Vault is sealed'] }, { status: 503 })
        : Response.json({ data: { ciphertext: `vault:v1:${call.body.plaintext}` } }),
    );
    const source = vaultTransitKeySource({ token: TOKEN, fetch: fake, env: {} });
    await expect(source.wrap?.(URI, dataKey)).resolves.toMatchObject({ type: 'hc_vault' });
    expect(seen).toHaveLength(3);
  });

  it('gives up after maxAttempts connection failures with the reason', async () => {
    let calls = 0;
    const refused = (async () => {
      calls++;
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch;
    const source = vaultTransitKeySource({ token: TOKEN, fetch: refused, env: {}, maxAttempts: 2 });
    await expect(source.wrap?.(URI, dataKey)).rejects.toThrow(
      `Vault transit encrypt with ${URI}: could not connect (ECONNREFUSED) (2 attempts)`,
    );
    expect(calls).toBe(2);
  });

  it('a server that never answers fails at the deadline, naming the key', async () => {
    const source = vaultTransitKeySource({
      token: TOKEN,
      fetch: hangingFetch,
      env: {},
      timeoutMs: 200,
    });
    const started = Date.now();
    const entry: KeyEntry = {
      type: 'hc_vault',
      enc: 'vault:v1:abc',
      fields: {
        created_at: '2026-01-01T00:00:00Z',
        engine_path: 'transit',
        key_name: 'sops',
        vault_address: 'https://vault.example.com:8200',
      },
    };
    await expect(source.unwrap(entry)).rejects.toThrow(
      `Vault transit decrypt with ${URI}: no answer within 0.2s`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
