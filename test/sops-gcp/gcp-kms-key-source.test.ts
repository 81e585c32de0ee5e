import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GcpKmsCredentials,
  type GcpKmsKeySourceOptions,
  gcpKmsKeySource,
  type KeyEntry,
  parseGcpKmsSecretEntry,
} from '../../sops/index.ts';
import { type GcpKmsWireServer, startGcpKmsWireServer } from '../emulators/index.ts';
import { waitFor } from '../harness/wait-for.ts';

let server: GcpKmsWireServer;
let serviceAccount: GcpKmsCredentials;
let accessToken: GcpKmsCredentials;

beforeAll(async () => {
  server = await startGcpKmsWireServer();
  serviceAccount = parseGcpKmsSecretEntry(Buffer.from(server.serviceAccount.json));
  accessToken = { kind: 'accessToken', accessToken: server.accessToken };
});
afterAll(async () => {
  await server?.stop();
});

const dataKey = () => new Uint8Array(32).map((_, i) => (i * 7 + 3) % 256);
const source = (options: Partial<GcpKmsKeySourceOptions> = {}) =>
  gcpKmsKeySource({ endpoint: server.endpoint, retryDelayMs: 10, ...options });

/** Every secret the test setup holds: none may show up in an error. */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(server.accessToken);
  expect(text).not.toContain('PRIVATE KEY');
  expect(text).not.toContain(Buffer.from(dataKey()).toString('base64'));
}

/** An RS256 JWT as a service account signs it (header kid = private_key_id). */
function signJwt(privateKey: string, kid: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part({ iat: now, exp: now + 600, ...claims })}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expectNoSecret(message);
  return message;
}

describe('a local GCP KMS wire-format server through @google-cloud/kms (REST transport)', () => {
  it('encrypts and decrypts with a self-signed service-account JWT', async () => {
    const url = new URL(server.endpoint);
    const client = new KeyManagementServiceClient({
      fallback: 'rest',
      apiEndpoint: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      credentials: JSON.parse(server.serviceAccount.json) as Record<string, string>,
    });
    const [encrypted] = await client.encrypt({ name: server.keyName, plaintext: dataKey() });
    expect(encrypted.name).toBe(`${server.keyName}/cryptoKeyVersions/1`);
    const ciphertext = Buffer.from(encrypted.ciphertext ?? '');
    expect(ciphertext.includes(Buffer.from(dataKey()))).toBe(false);
    const [decrypted] = await client.decrypt({ name: server.keyName, ciphertext });
    expect(Buffer.from(decrypted.plaintext ?? '')).toEqual(Buffer.from(dataKey()));
    // AES-GCM binds the ciphertext to its key: another key cannot open it.
    const other = server.addKey('kustodian', 'other');
    await expect(client.decrypt({ name: other, ciphertext })).rejects.toThrow(/INVALID_ARGUMENT/);
    await client.close();
  });

  it("issues access tokens at the service account's token_uri for a signed JWT grant", async () => {
    const key = JSON.parse(server.serviceAccount.json) as Record<string, string>;
    const tokenUri = key.token_uri ?? '';
    const grant = (privateKey: string) =>
      fetch(tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: signJwt(privateKey, key.private_key_id ?? '', {
            iss: key.client_email,
            aud: tokenUri,
            scope: 'https://www.googleapis.com/auth/cloudkms',
          }),
        }),
      });
    const response = await grant(key.private_key ?? '');
    expect(response.status).toBe(200);
    const { access_token: token } = (await response.json()) as { access_token: string };
    const entry = await source({
      credentials: { kind: 'accessToken', accessToken: token },
    }).wrap?.(server.keyName, dataKey());
    expect(entry?.fields.resource_id).toBe(server.keyName);

    // A JWT signed by a key the server does not know gets no token.
    const forged = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const refused = await grant(forged.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('gcpKmsKeySource against a local GCP KMS wire-format server', () => {
  it.each([
    { name: 'a service-account key file', credentials: () => serviceAccount },
    { name: 'an OAuth access token', credentials: () => accessToken },
  ])('wraps and unwraps the data key with $name', async ({ credentials }) => {
    const keys = source({ credentials: credentials() });
    const entry = await keys.wrap?.(server.keyName, dataKey());
    expect(entry?.type).toBe('gcp_kms');
    expect(Object.keys(entry?.fields ?? {})).toEqual(['resource_id', 'created_at']);
    expect(entry?.fields.resource_id).toBe(server.keyName);
    expect(entry?.fields.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(entry?.enc).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(entry?.enc ?? '', 'base64').length).toBe(12 + 32 + 16);
    expect(await keys.unwrap(entry as KeyEntry)).toEqual(dataKey());
  });

  it('without credentials, Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS) are used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kustodian-gcp-adc-'));
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    try {
      const file = join(dir, 'sa.json');
      await writeFile(file, server.serviceAccount.json, { mode: 0o600 });
      process.env.GOOGLE_APPLICATION_CREDENTIALS = file;
      const keys = source();
      const entry = (await keys.wrap?.(server.keyName, dataKey())) as KeyEntry;
      expect(await keys.unwrap(entry)).toEqual(dataKey());

      // A missing ADC file is a clear credentials error, not a crash of the process.
      process.env.GOOGLE_APPLICATION_CREDENTIALS = join(dir, 'missing.json');
      const message = await failure(source().unwrap(entry));
      expect(message).toMatch(/cryptoKeys\/sops: decrypt failed: NO_CREDENTIALS: .*missing\.json/);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a recipient with spaces is read as sops reads it (spaces removed)', async () => {
    const spaced = server.keyName.replace('/keyRings/', '/ keyRings/ ');
    const entry = await source({ credentials: accessToken }).wrap?.(spaced, dataKey());
    expect(entry?.fields.resource_id).toBe(server.keyName);
  });

  it.each([
    {
      name: 'an unknown key is NOT_FOUND, named by its resource id',
      credentials: () => accessToken,
      key: () => server.keyName.replace('/sops', '/missing'),
      want: /cryptoKeys\/missing: encrypt failed: NOT_FOUND: .*check the resource id/,
    },
    {
      name: 'a service account without access is PERMISSION_DENIED',
      credentials: () => parseGcpKmsSecretEntry(Buffer.from(server.outsider.json)),
      key: () => server.keyName,
      want: /cryptoKeys\/sops: encrypt failed: PERMISSION_DENIED: .*cryptoKeyEncrypterDecrypter/,
    },
    {
      name: 'an unknown access token is UNAUTHENTICATED',
      credentials: (): GcpKmsCredentials => ({
        kind: 'accessToken',
        accessToken: 'ya29.wrong-token',
      }),
      key: () => server.keyName,
      want: /cryptoKeys\/sops: encrypt failed: UNAUTHENTICATED: .*credentials were refused/,
    },
  ])('$name', async ({ credentials, key, want }) => {
    const calls = server.calls;
    const message = await failure(
      source({ credentials: credentials() }).wrap?.(key(), dataKey()) ?? Promise.resolve(),
    );
    expect(message).toMatch(want);
    expect(message).not.toContain('wrong-token');
    // Refusals are final: no retry.
    expect(server.calls - calls).toBe(1);
  });

  it('a wrapped key from another CryptoKey is refused as INVALID_ARGUMENT', async () => {
    const keys = source({ credentials: accessToken });
    const entry = (await keys.wrap?.(server.keyName, dataKey())) as KeyEntry;
    const other = server.addKey('kustodian', 'second');
    const message = await failure(
      keys.unwrap({ ...entry, fields: { ...entry.fields, resource_id: other } }),
    );
    expect(message).toMatch(/cryptoKeys\/second: decrypt failed: INVALID_ARGUMENT/);
  });

  it('retries an unavailable service with backoff, then succeeds', async () => {
    const calls = server.calls;
    server.failNext(2);
    const entry = await source({ credentials: accessToken, maxAttempts: 3 }).wrap?.(
      server.keyName,
      dataKey(),
    );
    expect(entry?.enc).not.toBe('');
    expect(server.calls - calls).toBe(3);
  });

  it('gives up after the bounded attempts with the status and the count', async () => {
    const calls = server.calls;
    server.failNext(5);
    const message = await failure(
      source({ credentials: accessToken, maxAttempts: 2 }).wrap?.(server.keyName, dataKey()) ??
        Promise.resolve(),
    );
    server.failNext(0);
    expect(message).toMatch(/cryptoKeys\/sops: encrypt failed after 2 attempt\(s\): UNAVAILABLE/);
    expect(server.calls - calls).toBe(2);
  });

  it('a hanging server yields a timed-out error, not a hang', async () => {
    const entry = (await source({ credentials: accessToken }).wrap?.(
      server.keyName,
      dataKey(),
    )) as KeyEntry;
    server.setHanging(true);
    const started = Date.now();
    try {
      const message = await failure(
        source({ credentials: accessToken, timeoutMs: 300, maxAttempts: 2 }).unwrap(entry),
      );
      expect(message).toMatch(
        /cryptoKeys\/sops: decrypt failed after 2 attempt\(s\): TIMEOUT: no answer within 300 ms/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      server.setHanging(false);
    }
  });

  it('an aborted signal ends a hanging call at once, without retrying', async () => {
    server.setHanging(true);
    const calls = server.calls;
    try {
      const controller = new AbortController();
      const pending = source({ credentials: accessToken, signal: controller.signal }).wrap?.(
        server.keyName,
        dataKey(),
      );
      await waitFor(
        'the call to reach the server',
        async () => (server.calls > calls ? true : undefined),
        { intervalMs: 10 },
      );
      controller.abort();
      const message = await failure(pending ?? Promise.resolve());
      expect(message).toMatch(
        /cryptoKeys\/sops: encrypt failed: CANCELLED: the operation was aborted/,
      );
      expect(server.calls - calls).toBe(1);
    } finally {
      server.setHanging(false);
    }
  });

  it('a server that is down is reported as unreachable', async () => {
    const message = await failure(
      gcpKmsKeySource({
        endpoint: 'http://127.0.0.1:1',
        credentials: accessToken,
        maxAttempts: 2,
        retryDelayMs: 10,
      }).wrap?.(server.keyName, dataKey()) ?? Promise.resolve(),
    );
    expect(message).toMatch(/encrypt failed after 2 attempt\(s\): UNREACHABLE: .*ECONNREFUSED/);
  });
});
