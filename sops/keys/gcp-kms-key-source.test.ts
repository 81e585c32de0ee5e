import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyEntry } from '../metadata.ts';
import { describeGcpKmsFailure, isTransientGcpKmsFailure } from './gcp-kms-failure.ts';
import {
  gcpKmsKeySource,
  gcpKmsOptionsFromEnv,
  parseGcpKmsSecretEntry,
} from './gcp-kms-key-source.ts';

const KEY = 'projects/p1/locations/global/keyRings/ring/cryptoKeys/sops';
const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  project_id: 'p1',
  private_key_id: 'abc',
  private_key: PEM,
  client_email: 'sops@p1.iam.gserviceaccount.com',
});
const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseGcpKmsSecretEntry (Flux sops.gcp-kms)', () => {
  it.each([
    {
      name: 'a service-account key file, trailing newline trimmed as Flux does',
      input: `${SERVICE_ACCOUNT}\n`,
      want: { kind: 'json', json: SERVICE_ACCOUNT },
    },
    {
      name: 'an authorized_user file (gcloud ADC)',
      input: '{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}',
      want: {
        kind: 'json',
        json: '{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}',
      },
    },
    {
      name: 'a bare OAuth access token',
      input: 'ya29.a0AfB_byC-token_value\n',
      want: { kind: 'accessToken', accessToken: 'ya29.a0AfB_byC-token_value' },
    },
  ])('reads $name', ({ input, want }) => {
    expect(parseGcpKmsSecretEntry(bytes(input))).toEqual(want);
  });

  it.each([
    {
      name: 'an empty entry',
      input: '\n',
      want: /decryption Secret entry "sops\.gcp-kms": the entry is empty/,
    },
    {
      name: 'broken JSON, without quoting it',
      input: '{"type": "service_account", "private_key": "SECRETVALUE',
      want: /"sops\.gcp-kms": it is not valid JSON/,
    },
    { name: 'a JSON list', input: '["x"]', want: /is neither/ },
    { name: 'JSON without type', input: '{"client_email":"a"}', want: /has no "type" field/ },
    {
      name: 'an unknown credentials type',
      input: '{"type":"gdch_service_account"}',
      want: /credentials type "gdch_service_account" is not supported/,
    },
    {
      name: 'a service account without a private key',
      input: '{"type":"service_account","client_email":"a@b"}',
      want: /service-account key has no "private_key"/,
    },
    {
      name: 'a service account whose private key is not PEM',
      input: '{"type":"service_account","client_email":"a@b","private_key":"SECRETVALUE"}',
      want: /"private_key" is not a PEM private key/,
    },
    {
      name: 'text with spaces (not a token)',
      input: 'SECRETVALUE and more',
      want: /neither a Google credentials JSON nor an OAuth access token/,
    },
  ])('refuses $name', ({ input, want }) => {
    let message = '';
    try {
      parseGcpKmsSecretEntry(bytes(input));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(want);
    expect(message).not.toContain('SECRETVALUE');
  });
});

describe('gcpKmsOptionsFromEnv (as the sops CLI reads it)', () => {
  const files: Record<string, string> = { '/creds.json': SERVICE_ACCOUNT };
  const read = (path: string) => files[path];
  const none = { endpoint: undefined, universeDomain: undefined };
  it.each([
    {
      name: 'GOOGLE_CREDENTIALS naming a file',
      env: { GOOGLE_CREDENTIALS: '/creds.json', GOOGLE_OAUTH_ACCESS_TOKEN: 't' },
      want: { ...none, credentials: { kind: 'json', json: SERVICE_ACCOUNT } },
    },
    {
      name: 'GOOGLE_CREDENTIALS holding the JSON',
      env: { GOOGLE_CREDENTIALS: '{"type":"authorized_user"}' },
      want: {
        endpoint: undefined,
        credentials: { kind: 'json', json: '{"type":"authorized_user"}' },
      },
    },
    {
      name: 'GOOGLE_OAUTH_ACCESS_TOKEN and SOPS_GCP_KMS_ENDPOINT',
      env: { GOOGLE_OAUTH_ACCESS_TOKEN: 'tok', SOPS_GCP_KMS_ENDPOINT: 'http://127.0.0.1:9' },
      want: {
        ...none,
        endpoint: 'http://127.0.0.1:9',
        credentials: { kind: 'accessToken', accessToken: 'tok' },
      },
    },
    { name: 'nothing: Application Default Credentials', env: {}, want: none },
    {
      name: 'SOPS_GCP_KMS_UNIVERSE_DOMAIN',
      env: { SOPS_GCP_KMS_UNIVERSE_DOMAIN: 's3nsapis.fr' },
      want: { ...none, universeDomain: 's3nsapis.fr' },
    },
  ])('$name', ({ env, want }) => {
    expect(gcpKmsOptionsFromEnv(env, read)).toEqual(want);
  });
});

describe('describeGcpKmsFailure', () => {
  it.each([
    {
      name: 'a REST error body in the message',
      error: Object.assign(
        new Error('{"error":{"code":404,"message":"CryptoKey x not found.","status":"NOT_FOUND"}}'),
        { status: 404 },
      ),
      want: { status: 'NOT_FOUND', message: 'CryptoKey x not found.' },
    },
    {
      name: 'a GoogleError with a numeric gRPC code',
      error: Object.assign(new Error('7 PERMISSION_DENIED: denied'), { code: 7 }),
      want: { status: 'PERMISSION_DENIED', message: 'denied' },
    },
    {
      name: 'an HTTP status without a body',
      error: Object.assign(new Error('Service Unavailable'), { status: 503 }),
      want: { status: 'UNAVAILABLE', message: 'Service Unavailable' },
    },
    {
      name: 'a refused connection',
      error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      want: { status: 'UNREACHABLE', message: 'the endpoint is unreachable (ECONNREFUSED)' },
    },
    {
      name: 'a message echoing a bearer token and a JWT, redacted',
      error: new Error('bad header Bearer ya29.secret-token and eyJhbGciOi.eyJzdWIi.c2ln'),
      want: { status: 'UNKNOWN', message: 'bad header Bearer [redacted] and [redacted token]' },
    },
  ])('$name', ({ error, want }) => {
    expect(describeGcpKmsFailure(error)).toEqual(want);
  });

  it('redacts the credentials it was given', () => {
    const failure = describeGcpKmsFailure(new Error('token opaque-credential-1234 refused'), [
      'opaque-credential-1234',
    ]);
    expect(failure.message).toBe('token [redacted] refused');
  });

  it.each([
    { status: 'UNAVAILABLE', want: true },
    { status: 'TIMEOUT', want: true },
    { status: 'RESOURCE_EXHAUSTED', want: true },
    { status: 'NOT_FOUND', want: false },
    { status: 'PERMISSION_DENIED', want: false },
    { status: 'INVALID_ARGUMENT', want: false },
  ])('$status is transient: $want', ({ status, want }) => {
    expect(isTransientGcpKmsFailure({ status, message: '' })).toBe(want);
  });
});

describe('gcpKmsKeySource input checks (before any call)', () => {
  const source = gcpKmsKeySource({ endpoint: 'http://127.0.0.1:1' });
  const entry = (fields: KeyEntry['fields'], enc = 'AAAA'): KeyEntry => ({
    type: 'gcp_kms',
    enc,
    fields,
  });

  it('refuses a recipient that is not a CryptoKey resource id', async () => {
    await expect(source.wrap?.('projects/p1/keyRings/r', new Uint8Array(32))).rejects.toThrow(
      /GCP KMS resource id "projects\/p1\/keyRings\/r" is not of the form projects\/<p>\/locations/,
    );
  });

  it('refuses an entry without a resource id', async () => {
    await expect(source.unwrap(entry({ created_at: '2026-01-01T00:00:00Z' }))).rejects.toThrow(
      /resource id "" is not of the form/,
    );
  });

  it('refuses an enc that is not base64, naming the key', async () => {
    await expect(source.unwrap(entry({ resource_id: KEY }, 'not base64!'))).rejects.toThrow(
      `GCP KMS key ${KEY}: the enc field is not base64`,
    );
  });

  it('refuses credentials JSON that does not parse without quoting it', async () => {
    const broken = gcpKmsKeySource({
      endpoint: 'http://127.0.0.1:1',
      credentials: { kind: 'json', json: '{"private_key": "SECRETVALUE' },
    });
    const error = await broken.unwrap(entry({ resource_id: KEY })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^GCP KMS key ${KEY}: decrypt failed: NO_CREDENTIALS: the GCP credentials are not valid JSON`,
      ),
    );
    expect((error as Error).message).not.toContain('SECRETVALUE');
  });
});

describe('loading', () => {
  it('importing sops/ loads no Google SDK module (it is imported on first use)', () => {
    const index = join(import.meta.dirname, '..', 'index.ts');
    const script = `
      import { createRequire } from 'node:module';
      const { gcpKmsKeySource } = await import(${JSON.stringify(index)});
      gcpKmsKeySource({});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(loaded.filter((p) => /google|grpc/.test(p)).length));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('0');
  });
});
