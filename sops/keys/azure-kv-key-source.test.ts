import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AzureKvCredentials,
  azureKeyVaultKeySource,
  parseAzureKeyUrl,
  parseAzureKvSecretEntry,
} from './azure-kv-key-source.ts';

const SECRET = 'hunter2-client-secret-value';
const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const utf8 = (text: string) => new TextEncoder().encode(text);
const utf16le = (text: string) =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] ?? 0, le[i] ?? 0];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};

describe('parseAzureKvSecretEntry reads Flux sops.azure-kv entries', () => {
  it.each<{ name: string; input: Uint8Array; want: AzureKvCredentials }>([
    {
      name: 'JSON client secret',
      input: utf8(`{"tenantId":"t1","clientId":"c1","clientSecret":"${SECRET}"}`),
      want: { kind: 'client-secret', tenantId: 't1', clientId: 'c1', clientSecret: SECRET },
    },
    {
      name: 'YAML client secret with an authority host',
      input: utf8(
        `tenantId: t1\nclientId: c1\nclientSecret: ${SECRET}\nauthorityHost: https://login.microsoftonline.us\n`,
      ),
      want: {
        kind: 'client-secret',
        tenantId: 't1',
        clientId: 'c1',
        clientSecret: SECRET,
        authorityHost: 'https://login.microsoftonline.us',
      },
    },
    {
      name: 'field names in another case (Go JSON matching)',
      input: utf8(`{"TenantID":"t1","CLIENTID":"c1","clientsecret":"${SECRET}"}`),
      want: { kind: 'client-secret', tenantId: 't1', clientId: 'c1', clientSecret: SECRET },
    },
    {
      name: 'az CLI service principal output',
      input: utf8(`{"appId":"a1","displayName":"sp","password":"${SECRET}","tenant":"t1"}`),
      want: { kind: 'client-secret', tenantId: 't1', clientId: 'a1', clientSecret: SECRET },
    },
    {
      name: 'az CLI output saved by PowerShell as UTF-16LE with BOM',
      input: utf16le(`{"appId":"a1","password":"${SECRET}","tenant":"t1"}`),
      want: { kind: 'client-secret', tenantId: 't1', clientId: 'a1', clientSecret: SECRET },
    },
    {
      name: 'UTF-16BE with BOM',
      input: utf16be(`{"appId":"a1","password":"${SECRET}","tenant":"t1"}`),
      want: { kind: 'client-secret', tenantId: 't1', clientId: 'a1', clientSecret: SECRET },
    },
    {
      name: 'client certificate with password and chain',
      input: utf8(
        `tenantId: t1\nclientId: c1\nclientCertificate: |\n${PEM.split('\n')
          .filter(Boolean)
          .map((l) => `  ${l}`)
          .join('\n')}\nclientCertificatePassword: pw\nclientCertificateSendChain: true\n`,
      ),
      want: {
        kind: 'client-certificate',
        tenantId: 't1',
        clientId: 'c1',
        certificate: PEM,
        certificatePassword: 'pw',
        sendCertificateChain: true,
      },
    },
    {
      name: 'a client secret wins over a certificate',
      input: utf8(
        JSON.stringify({
          tenantId: 't1',
          clientId: 'c1',
          clientSecret: SECRET,
          clientCertificate: PEM,
        }),
      ),
      want: { kind: 'client-secret', tenantId: 't1', clientId: 'c1', clientSecret: SECRET },
    },
    {
      name: 'a lone clientId means a user-assigned managed identity',
      input: utf8('clientId: c1\n'),
      want: { kind: 'managed-identity', clientId: 'c1' },
    },
    {
      name: 'tenantId and clientId without a secret fall back to managed identity, as Flux',
      input: utf8('tenantId: t1\nclientId: c1\n'),
      want: { kind: 'managed-identity', clientId: 'c1' },
    },
  ])('$name', ({ input, want }) => {
    expect(parseAzureKvSecretEntry(input)).toEqual(want);
  });

  it.each<{ name: string; input: Uint8Array; want: RegExp }>([
    { name: 'an empty entry is refused', input: utf8(''), want: /must be a YAML or JSON mapping/ },
    {
      name: 'a list is refused',
      input: utf8(`- ${SECRET}\n`),
      want: /must be a YAML or JSON mapping/,
    },
    {
      name: 'broken YAML is refused',
      input: utf8(`{"clientSecret": "${SECRET}`),
      want: /not valid/,
    },
    { name: 'invalid UTF-8 is refused', input: new Uint8Array([0xc3, 0x28]), want: /not valid/ },
    {
      name: 'a secret without clientId is refused',
      input: utf8(`tenantId: t1\nclientSecret: ${SECRET}\n`),
      want: /requires a "clientId" field/,
    },
    {
      name: 'a PKCS#12 certificate is refused',
      input: utf8(`tenantId: t1\nclientId: c1\nclientCertificate: MIIKcQIBAzCCCi${SECRET}\n`),
      want: /must be PEM/,
    },
    {
      name: 'a numeric secret is refused',
      input: utf8('tenantId: t1\nclientId: c1\nclientSecret: 12345678\n'),
      want: /field "clientSecret" must be a string/,
    },
    {
      name: 'a non-boolean clientCertificateSendChain is refused',
      input: utf8(`tenantId: t1\nclientId: c1\nclientCertificateSendChain: "${SECRET}"\n`),
      want: /must be true or false/,
    },
  ])('$name, naming the entry but not the value', ({ input, want }) => {
    let message = '';
    try {
      parseAzureKvSecretEntry(input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(want);
    expect(message).toMatch(/^sops\.azure-kv: /);
    expect(message).not.toContain(SECRET);
  });
});

describe('parseAzureKeyUrl takes sops --azure-kv URLs', () => {
  it.each([
    {
      name: 'a versioned key',
      input: 'https://v.vault.azure.net/keys/sops/abc123',
      want: { vaultUrl: 'https://v.vault.azure.net', name: 'sops', version: 'abc123' },
    },
    {
      name: 'a key without version, with spaces around',
      input: '  https://v.vault.azure.net/keys/sops \n',
      want: { vaultUrl: 'https://v.vault.azure.net', name: 'sops', version: '' },
    },
    {
      name: 'a trailing slash means no version',
      input: 'https://v.vault.azure.net/keys/sops/',
      want: { vaultUrl: 'https://v.vault.azure.net', name: 'sops', version: '' },
    },
  ])('$name', ({ input, want }) => {
    expect(parseAzureKeyUrl(input)).toEqual(want);
  });

  it.each([
    'http://v.vault.azure.net/keys/sops/1',
    'https://v.vault.azure.net/secrets/sops/1',
    'https://v.vault.azure.net/keys/sops/1/extra',
    'v.vault.azure.net/keys/sops',
  ])('%s is refused', (url) => {
    expect(() => parseAzureKeyUrl(url)).toThrow(/is not an Azure Key Vault key URL/);
  });
});

describe('azureKeyVaultKeySource checks entries before calling Azure', () => {
  const source = azureKeyVaultKeySource({
    credentials: { kind: 'client-secret', tenantId: 't', clientId: 'c', clientSecret: SECRET },
  });
  const entry = (enc: string, fields: Record<string, string>) => ({
    type: 'azure_kv' as const,
    enc,
    fields: { created_at: '2026-01-01T00:00:00Z', ...fields },
  });
  const key = { vault_url: 'https://v.vault.azure.net', name: 'sops', version: 'v1' };

  it('is of type azure_kv', () => {
    expect(source.type).toBe('azure_kv');
  });

  it.each([
    {
      name: 'padded base64 is refused',
      input: entry('YWJj=', key),
      want: /enc is not unpadded base64url/,
    },
    {
      name: 'standard base64 is refused',
      input: entry('a+b/', key),
      want: /enc is not unpadded base64url/,
    },
    {
      name: 'an empty enc is refused',
      input: entry('', key),
      want: /enc is not unpadded base64url/,
    },
    {
      name: 'an entry without vault_url is refused',
      input: entry('YWJj', { name: 'sops', version: 'v1' }),
      want: /has no vault_url or name/,
    },
  ])('$name', async ({ input, want }) => {
    await expect(source.unwrap(input)).rejects.toThrow(want);
  });

  it('names the key of a refused entry', async () => {
    await expect(source.unwrap(entry('YWJj=', key))).rejects.toThrow(
      'azure_kv https://v.vault.azure.net/keys/sops/v1:',
    );
  });

  it('refuses a recipient that is not a key URL', async () => {
    await expect(
      source.wrap?.('https://v.vault.azure.net/sops', new Uint8Array(32)),
    ).rejects.toThrow(/not an Azure Key Vault key URL/);
  });
});

describe('loading', () => {
  it('importing sops/ and creating the source loads no Azure SDK module', () => {
    // A resolve hook in a fresh Node process records every @azure/* import.
    const index = join(import.meta.dirname, '..', 'index.ts');
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(s, c, next) { if (s.startsWith('@azure/')) seen.push(s); return next(s, c); } });
      const sops = await import(${JSON.stringify(index)});
      sops.azureKeyVaultKeySource();
      console.log(JSON.stringify(seen));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
