import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageKeySource, decryptFile, encryptFile } from '../../sops/index.ts';
import { runTool } from '../harness/run-tool.ts';
import type { AzureFixture, AzureScratch } from './azure-fixtures.ts';
import { createAzureScratch, PLAIN, startAzureFixture } from './azure-fixtures.ts';

let azure: AzureFixture;
let scratch: AzureScratch;

beforeAll(async () => {
  [azure, scratch] = await Promise.all([startAzureFixture(), createAzureScratch('sops-azure')]);
});

afterAll(async () => {
  await Promise.all([azure?.server.stop(), scratch?.stop()]);
});

describe('real sops against a local Azure Key Vault wire-format server', () => {
  it('sops encrypts with --azure-kv and --age; kustodian decrypts with either key alone', async () => {
    const input = join(scratch.dir, 'from-sops.yaml');
    await writeFile(input, PLAIN);
    const result = await runTool(
      'sops',
      ['encrypt', '--azure-kv', azure.keyUrl, '--age', scratch.age.recipient, input],
      { env: azure.sopsEnv('secret') },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`vault_url: ${azure.server.vaultUrl}`);
    expect(result.stdout).toContain(`version: ${azure.version}`);
    expect(azure.server.log).toContain(
      `POST ${azure.server.vaultUrl.slice(8)}/keys/sops/${azure.version}/encrypt`,
    );
    const bytes = new TextEncoder().encode(result.stdout);
    const withAzure = await decryptFile(bytes, {
      path: 'from-sops.yaml',
      keySources: [azure.certificateSource()],
    });
    expect(new TextDecoder().decode(withAzure.plaintext)).toBe(PLAIN);
    const withAge = await decryptFile(bytes, {
      path: 'from-sops.yaml',
      keySources: [ageKeySource([scratch.age.identity])],
    });
    expect(new TextDecoder().decode(withAge.plaintext)).toBe(PLAIN);
  });

  it('kustodian encrypts for Azure and age; sops decrypts with a client certificate alone and with age alone', async () => {
    const encrypted = await encryptFile(new TextEncoder().encode(PLAIN), {
      path: 'from-kustodian.yaml',
      keyGroups: [
        [
          { type: 'azure_kv', id: azure.keyUrl },
          { type: 'age', id: scratch.age.recipient },
        ],
      ],
      keySources: [azure.secretSource(), ageKeySource([])],
    });
    const file = join(scratch.dir, 'from-kustodian.yaml');
    await writeFile(file, encrypted);
    const viaAzure = await runTool('sops', ['decrypt', file], {
      env: azure.sopsEnv('certificate'),
    });
    expect(viaAzure.stderr).toBe('');
    expect(viaAzure.stdout).toBe(PLAIN);
    expect(azure.server.log).toContain(`token ${azure.certificateClient.clientId} certificate`);
    const viaAge = await runTool('sops', ['decrypt', file], {
      env: { PATH: process.env.PATH, HOME: scratch.dir, SOPS_AGE_KEY_FILE: scratch.age.keyFile },
    });
    expect(viaAge.stderr).toBe('');
    expect(viaAge.stdout).toBe(PLAIN);
  });

  it('sops and kustodian refuse a wrong client secret the same way: no plaintext, no secret', async () => {
    const file = join(scratch.dir, 'azure-only.yaml');
    await writeFile(
      file,
      await encryptFile(new TextEncoder().encode(PLAIN), {
        path: 'azure-only.yaml',
        keyGroups: [[{ type: 'azure_kv', id: azure.keyUrl }]],
        keySources: [azure.secretSource()],
      }),
    );
    const env = { ...azure.sopsEnv('secret'), AZURE_CLIENT_SECRET: 'not-the-secret' };
    const result = await runTool('sops', ['decrypt', file], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('AADSTS7000215');
    expect(result.stdout).not.toContain('hunter2');
  });
});
