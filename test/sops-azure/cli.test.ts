import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzureFixture, AzureScratch } from './azure-fixtures.ts';
import { createAzureScratch, PLAIN, startAzureFixture } from './azure-fixtures.ts';

let azure: AzureFixture;
let scratch: AzureScratch;

/** The Azure credentials plus the age key (for commands that must decrypt first). */
const withAge = (env: NodeJS.ProcessEnv) => ({ ...env, SOPS_AGE_KEY_FILE: scratch.age.keyFile });

async function sopsConfig(body: string): Promise<void> {
  await writeFile(join(scratch.dir, '.sops.yaml'), body);
}

async function expectSopsDecryptsWithAzureAlone(file: string): Promise<void> {
  const result = await scratch.sops(['decrypt', file], azure.sopsEnv('certificate'));
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(PLAIN);
}

/** `kustodian sops encrypt <flags> secret.yaml` with the client secret, written to `file`. */
async function encryptTo(file: string, flags: string[]): Promise<void> {
  const result = await scratch.kustodian(
    ['encrypt', ...flags, 'secret.yaml'],
    azure.sopsEnv('secret'),
  );
  await writeFile(join(scratch.dir, file), result.stdout);
}

beforeAll(async () => {
  [azure, scratch] = await Promise.all([startAzureFixture(), createAzureScratch('sops-azure-cli')]);
});

afterAll(async () => {
  await Promise.all([azure?.server.stop(), scratch?.stop()]);
});

describe('kustodian sops CLI with a local Azure Key Vault wire-format server', () => {
  it('encrypts with --azure-kv (no version) and records the current version; sops decrypts', async () => {
    const result = await scratch.kustodian(
      ['encrypt', '--azure-kv', azure.server.keyUrl(azure.keyName), 'secret.yaml'],
      azure.sopsEnv('secret'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`version: ${azure.version}`);
    await writeFile(join(scratch.dir, 'flag.enc.yaml'), result.stdout);
    await expectSopsDecryptsWithAzureAlone('flag.enc.yaml');
  });

  it('takes azure_keyvault from a .sops.yaml creation rule and from key_groups', async () => {
    for (const rule of [
      `  - azure_keyvault: ${azure.keyUrl}\n`,
      `  - key_groups:\n      - azure_keyvault:\n          - vaultUrl: ${azure.server.vaultUrl}\n            key: ${azure.keyName}\n            version: ${azure.version}\n`,
    ]) {
      await sopsConfig(`creation_rules:\n${rule}`);
      const result = await scratch.kustodian(['encrypt', 'secret.yaml'], azure.sopsEnv('secret'));
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`vault_url: ${azure.server.vaultUrl}`);
      await writeFile(join(scratch.dir, 'rule.enc.yaml'), result.stdout);
      await expectSopsDecryptsWithAzureAlone('rule.enc.yaml');
    }
    await rm(join(scratch.dir, '.sops.yaml'));
  });

  it('decrypts what sops wrote for Azure with a client certificate', async () => {
    const theirs = await scratch.sops(
      ['encrypt', '--azure-kv', azure.keyUrl, 'secret.yaml'],
      azure.sopsEnv('secret'),
    );
    expect(theirs.code).toBe(0);
    await writeFile(join(scratch.dir, 'theirs.enc.yaml'), theirs.stdout);
    const ours = await scratch.kustodian(
      ['decrypt', 'theirs.enc.yaml'],
      azure.sopsEnv('certificate'),
    );
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(PLAIN);
  });

  it('rotate --add-azure-kv and --rm-azure-kv change who can decrypt', async () => {
    const file = 'rotate.enc.yaml';
    await encryptTo(file, ['--age', scratch.age.recipient]);
    const added = await scratch.kustodian(
      ['rotate', '-i', '--add-azure-kv', azure.keyUrl, file],
      withAge(azure.sopsEnv('secret')),
    );
    expect(added.stderr).toBe('');
    await expectSopsDecryptsWithAzureAlone(file);
    const removed = await scratch.kustodian(
      ['rotate', '-i', '--rm-azure-kv', azure.keyUrl, file],
      withAge(azure.sopsEnv('secret')),
    );
    expect(removed.stderr).toBe('');
    expect(await readFile(join(scratch.dir, file), 'utf8')).not.toContain('azure_kv');
  });

  it('updatekeys adds the Azure key a new .sops.yaml rule names', async () => {
    const file = 'update.enc.yaml';
    await encryptTo(file, ['--age', scratch.age.recipient]);
    await sopsConfig(
      `creation_rules:\n  - path_regex: update\\.enc\\.yaml$\n    age: ${scratch.age.recipient}\n    azure_keyvault: ${azure.keyUrl}\n`,
    );
    const updated = await scratch.kustodian(
      ['updatekeys', '-y', file],
      withAge(azure.sopsEnv('secret')),
    );
    await rm(join(scratch.dir, '.sops.yaml'));
    expect(updated.code).toBe(0);
    await expectSopsDecryptsWithAzureAlone(file);
  });

  it('fails to decrypt with a wrong client secret, naming the key and not the secret', async () => {
    await encryptTo('wrong.enc.yaml', ['--azure-kv', azure.keyUrl]);
    const wrong = 'definitely-not-the-secret';
    const result = await scratch.kustodian(['decrypt', 'wrong.enc.yaml'], {
      ...azure.sopsEnv('secret'),
      AZURE_CLIENT_SECRET: wrong,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`azure_kv ${azure.keyUrl}`);
    expect(result.stderr).toContain('AADSTS7000215');
    expect(result.stderr).not.toContain(wrong);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });
});
