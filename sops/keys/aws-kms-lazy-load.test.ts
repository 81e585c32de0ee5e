import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it, vi } from 'vitest';
import { decryptFile, encryptFile } from '../index.ts';
import type { KeyEntry } from '../metadata.ts';
import { ageKeySource } from './age-key-source.ts';
import { awsKmsKeySource } from './aws-kms-key-source.ts';

const loaded = vi.hoisted(() => ({ kms: 0 }));
vi.mock('@aws-sdk/client-kms', async (importOriginal) => {
  loaded.kms++;
  return importOriginal();
});

describe('the AWS SDK is loaded only when a KMS key is used', () => {
  it('an age-only file decrypts without loading @aws-sdk/client-kms; a kms entry loads it', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const age = ageKeySource([identity]);
    // Credentials that fail to resolve: the SDK stops before any request, so no network.
    const kms = awsKmsKeySource({
      credentials: () => Promise.reject(new Error('no credentials in this test')),
      maxAttempts: 1,
    });
    const encrypted = await encryptFile(Buffer.from('a: b\n'), {
      path: 'x.yaml',
      keyGroups: [[{ type: 'age', id: recipient }]],
      keySources: [age, kms],
    });
    const decrypted = await decryptFile(encrypted, { path: 'x.yaml', keySources: [age, kms] });
    expect(Buffer.from(decrypted.plaintext).toString()).toBe('a: b\n');
    expect(loaded.kms).toBe(0);

    const entry: KeyEntry = {
      type: 'kms',
      enc: 'AAAA',
      fields: {
        arn: 'arn:aws:kms:eu-west-2:111122223333:key/k',
        aws_profile: '',
        created_at: '2026-01-01T00:00:00Z',
      },
    };
    await expect(kms.unwrap(entry)).rejects.toThrow(
      /AWS KMS decrypt with arn:aws:kms:.*no credentials in this test/,
    );
    expect(loaded.kms).toBe(1);
  });
});
