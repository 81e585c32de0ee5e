import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  EncryptCommand,
  InvalidCiphertextException,
  KMSClient,
  ListAliasesCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runTool } from '../harness/run-tool.ts';
import { type LocalKms, startLocalKms } from './local-kms.ts';

const plain =
  'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n';

let kms: LocalKms;
let client: KMSClient;
let dir: string;

beforeAll(async () => {
  kms = await startLocalKms();
  // The endpoint and credentials are passed explicitly: env-configured endpoints regressed in
  // some @smithy/middleware-endpoint releases.
  client = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: kms.credentials,
  });
  dir = await mkdtemp(join(tmpdir(), 'kustodian-local-kms-test-'));
});

afterAll(async () => {
  client?.destroy();
  await kms?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('local-kms (AWS KMS emulator) through @aws-sdk/client-kms', () => {
  it('has the seeded alias pointing at the seeded key', async () => {
    const aliases = await client.send(new ListAliasesCommand({}));
    expect(aliases.Aliases).toContainEqual(
      expect.objectContaining({ AliasName: kms.aliasName, TargetKeyId: kms.keyId }),
    );
  });

  it('decrypts what it encrypted only with the same EncryptionContext', async () => {
    const dataKey = new Uint8Array(32).fill(7);
    const context = { app: 'kustodian', file: 'apps/db.yaml' };
    const encrypted = await client.send(
      new EncryptCommand({ KeyId: kms.keyArn, Plaintext: dataKey, EncryptionContext: context }),
    );
    expect(encrypted.KeyId).toBe(kms.keyArn);
    const blob = encrypted.CiphertextBlob;
    expect(blob?.length).toBeGreaterThan(dataKey.length);
    expect(Buffer.from(blob ?? []).includes(Buffer.from(dataKey))).toBe(false);

    const decrypted = await client.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }),
    );
    expect(decrypted.KeyId).toBe(kms.keyArn);
    expect(Buffer.from(decrypted.Plaintext ?? [])).toEqual(Buffer.from(dataKey));

    // EncryptionContext is authenticated data: a different one must be refused.
    await expect(
      client.send(
        new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'other' } }),
      ),
    ).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('encrypts through the alias with the aliased key', async () => {
    const encrypted = await client.send(
      new EncryptCommand({ KeyId: kms.aliasName, Plaintext: new Uint8Array([1, 2, 3]) }),
    );
    expect(encrypted.KeyId).toBe(kms.keyArn);
  });
});

describe('the real sops binary against local-kms', () => {
  it('encrypts with --kms and an encryption context, and decrypts again', async () => {
    const plainFile = join(dir, 'secret.yaml');
    await writeFile(plainFile, plain);
    const env = { ...process.env, ...kms.env };
    const encrypted = await runTool(
      'sops',
      ['--encrypt', '--kms', kms.keyArn, '--encryption-context', 'app:kustodian', plainFile],
      { env },
    );
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).not.toContain('hunter2');
    const doc = parse(encrypted.stdout) as {
      sops: { kms: { arn: string; enc: string; context?: Record<string, string> }[] };
    };
    const entry = doc.sops.kms[0];
    expect(entry?.arn).toBe(kms.keyArn);
    expect(entry?.context).toEqual({ app: 'kustodian' });

    // sops stores the KMS ciphertext of its 32-byte data key: the SDK must open it too.
    const dataKey = await client.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(entry?.enc ?? '', 'base64'),
        EncryptionContext: { app: 'kustodian' },
      }),
    );
    expect(dataKey.Plaintext?.length).toBe(32);

    const encryptedFile = join(dir, 'secret.enc.yaml');
    await writeFile(encryptedFile, encrypted.stdout);
    const decrypted = await runTool('sops', ['--decrypt', encryptedFile], { env });
    expect(decrypted.stderr).toBe('');
    expect(decrypted.stdout).toBe(plain);
  });

  it('a file for an age key and a KMS key decrypts with either one alone', async () => {
    const keygen = await runTool('age-keygen', []);
    expect(keygen.code).toBe(0);
    const ageKeyFile = join(dir, 'age.txt');
    await writeFile(ageKeyFile, keygen.stdout, { mode: 0o600 });
    const recipient = /public key: (age1[0-9a-z]+)/.exec(keygen.stdout)?.[1] ?? '';
    const plainFile = join(dir, 'both.yaml');
    await writeFile(plainFile, plain);
    const noAge = join(dir, 'no-age-key.txt');
    const kmsEnv = { ...process.env, ...kms.env, SOPS_AGE_KEY_FILE: noAge, HOME: dir };

    const encrypted = await runTool(
      'sops',
      ['--encrypt', '--kms', kms.keyArn, '--age', recipient, plainFile],
      { env: kmsEnv },
    );
    expect(encrypted.code).toBe(0);
    const encryptedFile = join(dir, 'both.enc.yaml');
    await writeFile(encryptedFile, encrypted.stdout);

    const withKms = await runTool('sops', ['--decrypt', encryptedFile], { env: kmsEnv });
    expect(withKms.stdout).toBe(plain);

    // KMS unreachable (a closed port): the age key alone must do.
    const deadKms = { ...kmsEnv, AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:1' };
    const withAge = await runTool('sops', ['--decrypt', encryptedFile], {
      env: { ...deadKms, SOPS_AGE_KEY_FILE: ageKeyFile },
    });
    expect(withAge.stdout).toBe(plain);

    const withNeither = await runTool('sops', ['--decrypt', encryptedFile], { env: deadKms });
    expect(withNeither.code).not.toBe(0);
    expect(withNeither.stdout + withNeither.stderr).not.toContain('hunter2');
  });
});
