import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runTool } from '../harness/run-tool.ts';
import { startVaultTransit, type VaultTransit } from './vault-transit.ts';

const plain =
  'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n';

let vault: VaultTransit;
let dir: string;

beforeAll(async () => {
  vault = await startVaultTransit();
  dir = await mkdtemp(join(tmpdir(), 'kustodian-vault-test-'));
});

afterAll(async () => {
  await vault?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** POST to the transit API as a key source would; returns the status and the `data` object. */
async function transit(path: string, body: unknown, token = vault.token) {
  const response = await fetch(`${vault.address}/v1/${vault.mount}/${path}`, {
    method: 'POST',
    headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: Record<string, string>; errors?: string[] };
  return { status: response.status, data: json.data ?? {}, errors: json.errors ?? [] };
}

describe('Vault dev server transit engine over its HTTP API', () => {
  const dataKey = Buffer.alloc(32, 9).toString('base64');

  it('encrypts to a vault:v1: ciphertext and decrypts it back', async () => {
    const encrypted = await transit(`encrypt/${vault.keyName}`, { plaintext: dataKey });
    expect(encrypted.status).toBe(200);
    expect(encrypted.data.ciphertext).toMatch(/^vault:v1:/);
    expect(encrypted.data.ciphertext).not.toContain(dataKey);

    const decrypted = await transit(`decrypt/${vault.keyName}`, {
      ciphertext: encrypted.data.ciphertext,
    });
    expect(decrypted.status).toBe(200);
    expect(decrypted.data.plaintext).toBe(dataKey);
  });

  it('refuses a wrong token and a tampered ciphertext', async () => {
    const encrypted = await transit(`encrypt/${vault.keyName}`, { plaintext: dataKey });
    const ciphertext = encrypted.data.ciphertext ?? '';

    const wrongToken = await transit(`decrypt/${vault.keyName}`, { ciphertext }, 'not-a-token');
    expect(wrongToken.status).toBe(403);
    expect(JSON.stringify(wrongToken)).not.toContain(dataKey);

    const body = ciphertext.slice('vault:v1:'.length);
    const flipped = body.startsWith('A') ? `B${body.slice(1)}` : `A${body.slice(1)}`;
    const tampered = await transit(`decrypt/${vault.keyName}`, {
      ciphertext: `vault:v1:${flipped}`,
    });
    expect(tampered.status).toBe(400);
    expect(JSON.stringify(tampered)).not.toContain(dataKey);
  });

  it('a second key cannot decrypt the first key’s ciphertext', async () => {
    await vault.createKey('other');
    const encrypted = await transit(`encrypt/${vault.keyName}`, { plaintext: dataKey });
    const other = await transit('decrypt/other', { ciphertext: encrypted.data.ciphertext });
    expect(other.status).toBe(400);
  });
});

describe('the real sops binary against Vault transit', () => {
  it('encrypts with --hc-vault-transit and decrypts only with the token', async () => {
    const plainFile = join(dir, 'secret.yaml');
    await writeFile(plainFile, plain);
    // HOME points at the scratch dir so no ~/.vault-token of the person running tests is used.
    const env = { ...process.env, ...vault.env, HOME: dir };
    const encrypted = await runTool(
      'sops',
      ['--encrypt', '--hc-vault-transit', vault.keyUri, plainFile],
      { env },
    );
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).not.toContain('hunter2');
    const doc = parse(encrypted.stdout) as {
      sops: {
        hc_vault: { vault_address: string; engine_path: string; key_name: string; enc: string }[];
      };
    };
    expect(doc.sops.hc_vault[0]).toMatchObject({
      vault_address: vault.address,
      engine_path: vault.mount,
      key_name: vault.keyName,
    });
    expect(doc.sops.hc_vault[0]?.enc).toMatch(/^vault:v1:/);

    const encryptedFile = join(dir, 'secret.enc.yaml');
    await writeFile(encryptedFile, encrypted.stdout);
    const decrypted = await runTool('sops', ['--decrypt', encryptedFile], { env });
    expect(decrypted.stderr).toBe('');
    expect(decrypted.stdout).toBe(plain);

    const wrongToken = await runTool('sops', ['--decrypt', encryptedFile], {
      env: { ...env, VAULT_TOKEN: 'not-a-token' },
    });
    expect(wrongToken.code).not.toBe(0);
    expect(wrongToken.stdout + wrongToken.stderr).not.toContain('hunter2');
    expect(wrongToken.stdout + wrongToken.stderr).not.toContain(vault.token);
  });
});
