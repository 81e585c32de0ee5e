import { describe, expect, it } from 'vitest';
import type { KeyEntry } from '../metadata.ts';
import {
  awsKmsKeyFromEntry,
  awsKmsKeySource,
  formatAwsKmsRecipient,
  parseAwsKmsRecipient,
  parseAwsKmsSecretEntry,
  stsSessionName,
} from './aws-kms-key-source.ts';

const ARN = 'arn:aws:kms:eu-west-2:111122223333:key/0a5dd2e2-6204-4acb-8698-165493dcd330';
const ROLE = 'arn:aws:iam::111122223333:role/sops';

describe('AWS KMS recipients (sops key strings)', () => {
  it.each([
    { name: 'a bare ARN', input: { arn: ARN }, want: ARN },
    { name: 'ARN and role', input: { arn: ARN, role: ROLE }, want: `${ARN}+${ROLE}` },
    {
      name: 'a context, sorted by key',
      input: { arn: ARN, context: { b: '2', a: '1' } },
      want: `${ARN}|a:1,b:2`,
    },
    {
      name: 'a profile without context',
      input: { arn: ARN, awsProfile: 'dev' },
      want: `${ARN}||dev`,
    },
    {
      name: 'separators inside context values, escaped',
      input: { arn: ARN, context: { 'k:1': 'a,b|c%' } },
      want: `${ARN}|k%3a1:a%2cb%7cc%25`,
    },
  ])('$name → $want and back', ({ input, want }) => {
    expect(formatAwsKmsRecipient(input)).toBe(want);
    expect(parseAwsKmsRecipient(want)).toEqual(input);
  });

  it('reads sops --kms "arn+role" with stray spaces', () => {
    expect(parseAwsKmsRecipient(` ${ARN} +${ROLE}`)).toEqual({ arn: ARN, role: ROLE });
  });

  it('refuses a context that is not k:v pairs', () => {
    expect(() => parseAwsKmsRecipient(`${ARN}|novalue`)).toThrow(/k:v/);
  });

  it('reads an entry as sops writes it', () => {
    const entry: KeyEntry = {
      type: 'kms',
      enc: 'x',
      fields: {
        arn: ARN,
        aws_profile: '',
        context: { app: 'web' },
        created_at: '2026-01-01T00:00:00Z',
        role: ROLE,
      },
    };
    expect(awsKmsKeyFromEntry(entry)).toEqual({ arn: ARN, role: ROLE, context: { app: 'web' } });
  });
});

describe('parseAwsKmsSecretEntry (Flux sops.aws-kms)', () => {
  it('reads the three fields', () => {
    const yaml =
      'aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key: s3cr3t/value\naws_session_token: tok\n';
    expect(parseAwsKmsSecretEntry(Buffer.from(yaml))).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 's3cr3t/value',
      sessionToken: 'tok',
    });
  });

  it('leaves out an absent session token', () => {
    const yaml = 'aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key: s3cr3t\n';
    expect(parseAwsKmsSecretEntry(Buffer.from(yaml))).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 's3cr3t',
    });
  });

  it.each([
    {
      name: 'a missing secret key',
      input: 'aws_access_key_id: AKIAEXAMPLE\n',
      want: /lacks aws_secret_access_key/,
    },
    { name: 'not a mapping', input: '- s3cr3t-in-a-list\n', want: /must be a mapping/ },
    { name: 'broken YAML', input: 'aws_secret_access_key: "s3cr3t\n', want: /not valid YAML/ },
    {
      name: 'a non-string value',
      input: 'aws_access_key_id: [s3cr3t]\naws_secret_access_key: x\n',
      want: /must be a string/,
    },
  ])('refuses $name, naming the entry, never the value', ({ input, want }) => {
    let message = '';
    try {
      parseAwsKmsSecretEntry(Buffer.from(input));
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(want);
    expect(message).toContain('sops.aws-kms');
    expect(message).not.toContain('s3cr3t');
  });
});

describe('stsSessionName', () => {
  it.each([
    { name: 'a plain host', input: 'build.example.com', want: 'sops@build.example.com' },
    // sops' class `[…@-_]` is a range @–_, so like sops we drop '-' (and keep A–Z, [, ], ^).
    { name: "'-' dropped as sops does", input: 'build-01', want: 'sops@build01' },
    { name: 'disallowed characters removed', input: 'my host!#', want: 'sops@myhost' },
    { name: 'truncated to 64', input: 'h'.repeat(80), want: `sops@${'h'.repeat(59)}` },
  ])('$name', ({ input, want }) => {
    expect(stsSessionName(input)).toBe(want);
  });
});

describe('awsKmsKeySource without a reachable KMS', () => {
  it('refuses a recipient that is not a KMS ARN before calling anything', async () => {
    const source = awsKmsKeySource({ endpoint: 'http://127.0.0.1:9' });
    await expect(source.wrap?.('arn:aws:s3:::bucket', new Uint8Array(32))).rejects.toThrow(
      /not a KMS key or alias ARN/,
    );
  });
});
