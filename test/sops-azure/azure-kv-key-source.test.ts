import { randomBytes } from 'node:crypto';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ageKeySource,
  azureKeyVaultKeySource,
  decryptFile,
  encryptFile,
  type KeyEntry,
} from '../../sops/index.ts';
import { type AzureFixture, startAzureFixture } from './azure-fixtures.ts';

let azure: AzureFixture;

beforeAll(async () => {
  azure = await startAzureFixture();
});

afterAll(async () => {
  await azure?.server.stop();
});

const secretYaml = 'apiVersion: v1\nkind: Secret\nstringData:\n    password: hunter2\n';

describe('Azure Key Vault key source against a local Azure Key Vault wire-format server', () => {
  it('wraps with a client secret into the entry sops writes and unwraps it again', async () => {
    const dataKey = randomBytes(32);
    const source = azure.secretSource();
    const entry = await source.wrap?.(azure.keyUrl, dataKey);
    expect(entry?.type).toBe('azure_kv');
    expect(Object.keys(entry?.fields ?? {}).sort()).toEqual([
      'created_at',
      'name',
      'vault_url',
      'version',
    ]);
    expect(entry?.fields).toMatchObject({
      vault_url: azure.server.vaultUrl,
      name: azure.keyName,
      version: azure.version,
    });
    // RSA-2048 OAEP output, unpadded base64url as sops' RawURLEncoding.
    expect(entry?.enc).toMatch(/^[A-Za-z0-9_-]{342}$/);
    expect(Buffer.from(await source.unwrap(entry as KeyEntry))).toEqual(dataKey);
    expect(azure.server.log).toContain(`token ${azure.secretClient.clientId} secret`);
  });

  it('unwraps with a client certificate what the client secret wrapped', async () => {
    const dataKey = randomBytes(32);
    const entry = (await azure.secretSource().wrap?.(azure.keyUrl, dataKey)) as KeyEntry;
    expect(Buffer.from(await azure.certificateSource().unwrap(entry))).toEqual(dataKey);
    expect(azure.server.log).toContain(`token ${azure.certificateClient.clientId} certificate`);
  });

  it('records the current version for a key URL without one, as sops does', async () => {
    const entry = await azure
      .secretSource()
      .wrap?.(azure.server.keyUrl(azure.keyName), randomBytes(32));
    expect(entry?.fields.version).toBe(azure.version);
  });

  it('decrypts a file with an age key and an Azure key with either one alone', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const encrypted = await encryptFile(new TextEncoder().encode(secretYaml), {
      path: 'secret.yaml',
      keyGroups: [
        [
          { type: 'azure_kv', id: azure.keyUrl },
          { type: 'age', id: recipient },
        ],
      ],
      keySources: [azure.secretSource(), ageKeySource([])],
    });
    const text = new TextDecoder().decode(encrypted);
    expect(text).toContain('azure_kv:');
    expect(text).not.toContain('hunter2');
    const withAzure = await decryptFile(encrypted, {
      path: 'secret.yaml',
      keySources: [azure.certificateSource()],
    });
    expect(new TextDecoder().decode(withAzure.plaintext)).toBe(secretYaml);
    // The Azure source here cannot authenticate, so age alone must carry the decryption.
    const refused = azure.secretSource({
      credentials: {
        kind: 'client-secret',
        tenantId: azure.server.tenantId,
        clientId: azure.secretClient.clientId,
        clientSecret: 'not-the-secret',
      },
      maxRetries: 0,
    });
    const withAge = await decryptFile(encrypted, {
      path: 'secret.yaml',
      keySources: [refused, ageKeySource([identity])],
    });
    expect(new TextDecoder().decode(withAge.plaintext)).toBe(secretYaml);
  });

  it('refuses a wrong client secret, naming the key and never the secret', async () => {
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    const source = azureKeyVaultKeySource({
      credentials: {
        kind: 'client-secret',
        tenantId: azure.server.tenantId,
        clientId: azure.secretClient.clientId,
        clientSecret: wrong,
      },
      authorityHost: azure.server.authorityHost,
      agent: azure.server.agent,
      maxRetries: 0,
    });
    const error = await source.wrap?.(azure.keyUrl, randomBytes(32)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`azure_kv ${azure.keyUrl}: failed to encrypt the data key`);
    expect(message).toContain('AADSTS7000215');
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(azure.secretClient.clientSecret);
  });

  it('refuses an unknown key with Key Vault KeyNotFound, naming it', async () => {
    const entry = (await azure.secretSource().wrap?.(azure.keyUrl, randomBytes(32))) as KeyEntry;
    const missing = { ...entry, fields: { ...entry.fields, name: 'missing' } };
    await expect(azure.secretSource().unwrap(missing)).rejects.toThrow(
      new RegExp(
        `azure_kv ${azure.server.vaultUrl}/keys/missing/${azure.version}: failed to decrypt the data key: .*was not found`,
      ),
    );
  });

  it('refuses a tampered enc without echoing the data key', async () => {
    const dataKey = randomBytes(32);
    const entry = (await azure.secretSource().wrap?.(azure.keyUrl, dataKey)) as KeyEntry;
    const flipped = `${entry.enc.startsWith('A') ? 'B' : 'A'}${entry.enc.slice(1)}`;
    const error = await azure
      .secretSource()
      .unwrap({ ...entry, enc: flipped })
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /failed to decrypt the data key: .*parameter is incorrect/,
    );
    expect((error as Error).message).not.toContain(dataKey.toString('base64url'));
  });

  it('times out on a hanging vault with a clear error instead of hanging', async () => {
    const entry = (await azure.secretSource().wrap?.(azure.keyUrl, randomBytes(32))) as KeyEntry;
    azure.server.setHanging(true);
    try {
      const started = Date.now();
      await expect(
        azure.secretSource({ timeoutMs: 1500, maxRetries: 0 }).unwrap(entry),
      ).rejects.toThrow(
        `azure_kv ${azure.keyUrl}: failed to decrypt the data key: timed out after 1.5s`,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      azure.server.setHanging(false);
    }
  });
});

describe('Azure Key Vault key source when the local wire-format server is down', () => {
  it('fails after bounded retries, naming the key and the connection error', async () => {
    const down = await startAzureFixture();
    const entry = (await down.secretSource().wrap?.(down.keyUrl, randomBytes(32))) as KeyEntry;
    await down.server.stop();
    const started = Date.now();
    await expect(
      down.secretSource({ maxRetries: 2, retryDelayMs: 50, timeoutMs: 20_000 }).unwrap(entry),
    ).rejects.toThrow(
      new RegExp(`^azure_kv ${down.keyUrl}: failed to decrypt the data key: .*ECONNREFUSED`),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
