import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { awsKmsKeySource, formatAwsKmsRecipient } from '../../sops/index.ts';
import {
  closedAddress,
  type LocalKms,
  type RecordingProxy,
  type SilentServer,
  type StsAssumeRoleWireServer,
  startLocalKms,
  startRecordingProxy,
  startSilentServer,
  startStsAssumeRoleWireServer,
} from '../emulators/index.ts';
import type { Scratch } from './cloud-fixtures.ts';
import { ageKey, createScratch, failedWrap, PLAIN, SECRET } from './cloud-fixtures.ts';

const ROLE = 'arn:aws:iam::111122223333:role/sops-decrypt';

let kms: LocalKms;
let scratch: Scratch;
let sts: StsAssumeRoleWireServer;
let proxy: RecordingProxy;
/** Environment that points the Go SDK (sops) and our CLI at local-kms, with no age key. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [kms, scratch, sts] = await Promise.all([
    startLocalKms(),
    createScratch('sops-aws'),
    startStsAssumeRoleWireServer([ROLE]),
  ]);
  proxy = await startRecordingProxy(kms.endpoint);
  env = { ...scratch.env, ...kms.env };
  await scratch.write('secret.yaml', PLAIN);
});
afterAll(async () => {
  await Promise.all([kms?.stop(), scratch?.stop(), sts?.stop(), proxy?.stop()]);
});

type KmsEntry = Record<string, unknown> & { arn: string; enc: string };
const kmsEntries = (text: string) => (parse(text) as { sops: { kms?: KmsEntry[] } }).sops.kms ?? [];

async function encryptToFile(name: string, args: string[], withEnv = env): Promise<string> {
  const result = await scratch.kustodian(['encrypt', ...args, 'secret.yaml'], withEnv);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  await scratch.write(name, result.stdout);
  return result.stdout;
}

describe('AWS KMS key source against local-kms', () => {
  it('kustodian encrypts with --kms and --encryption-context, the real sops decrypts', async () => {
    const text = await encryptToFile('ours.enc.yaml', [
      '--kms',
      kms.keyArn,
      '--encryption-context',
      'app:web,team:db',
    ]);
    expect(text).not.toContain(SECRET);
    const [entry] = kmsEntries(text);
    // The fields sops writes (aws_profile even when empty), sorted as sops 3.13 writes them.
    expect(Object.keys(entry ?? {})).toEqual([
      'arn',
      'aws_profile',
      'context',
      'created_at',
      'enc',
    ]);
    expect(entry).toMatchObject({
      arn: kms.keyArn,
      aws_profile: '',
      context: { app: 'web', team: 'db' },
    });
    const theirs = await scratch.sops(['--decrypt', 'ours.enc.yaml'], env);
    expect(theirs.stderr).toBe('');
    expect(theirs.stdout).toBe(PLAIN);
  });

  it('the real sops encrypts (alias ARN, context) and kustodian decrypts', async () => {
    const theirs = await scratch.sops(
      ['--encrypt', '--kms', kms.aliasArn, '--encryption-context', 'app:web', 'secret.yaml'],
      env,
    );
    expect(theirs.code).toBe(0);
    await scratch.write('theirs.enc.yaml', theirs.stdout);
    const ours = await scratch.kustodian(['decrypt', 'theirs.enc.yaml'], env);
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(PLAIN);
  });

  it('a file with an age key and a KMS key decrypts with either one alone', async () => {
    const age = await ageKey();
    await encryptToFile('both.enc.yaml', ['--age', age.recipient, '--kms', kms.keyArn]);
    const kmsDown = { ...env, AWS_ENDPOINT_URL_KMS: await closedAddress() };
    const ageOnly = { ...kmsDown, SOPS_AGE_KEY: age.identity };

    const viaKms = await scratch.kustodian(['decrypt', 'both.enc.yaml'], env);
    expect(viaKms.stdout).toBe(PLAIN);
    const viaAge = await scratch.kustodian(['decrypt', 'both.enc.yaml'], ageOnly);
    expect(viaAge.stderr).toBe('');
    expect(viaAge.stdout).toBe(PLAIN);
    expect((await scratch.sops(['--decrypt', 'both.enc.yaml'], ageOnly)).stdout).toBe(PLAIN);
    expect((await scratch.sops(['--decrypt', 'both.enc.yaml'], env)).stdout).toBe(PLAIN);

    const neither = await scratch.kustodian(['decrypt', 'both.enc.yaml'], kmsDown);
    expect(neither.code).toBe(128);
    expect(neither.stderr).toContain(`AWS KMS decrypt with ${kms.keyArn}: could not connect`);
    expect(neither.stdout + neither.stderr).not.toContain(SECRET);
  });

  it('a wrong encryption context or an unknown key fails, naming the ARN', async () => {
    const text = await encryptToFile('ctx.enc.yaml', [
      '--kms',
      kms.keyArn,
      '--encryption-context',
      'app:web',
    ]);
    await scratch.write('wrong-ctx.enc.yaml', text.replace('app: web', 'app: api'));
    const wrongContext = await scratch.kustodian(['decrypt', 'wrong-ctx.enc.yaml'], env);
    expect(wrongContext.code).toBe(128);
    expect(wrongContext.stderr).toContain(
      `AWS KMS decrypt with ${kms.keyArn}: InvalidCiphertextException`,
    );

    const unknownArn = kms.keyArn.replace(kms.keyId, randomUUID());
    const unknown = await scratch.kustodian(['encrypt', '--kms', unknownArn, 'secret.yaml'], env);
    expect(unknown.code).toBe(23);
    expect(unknown.stderr).toContain(`AWS KMS encrypt with ${unknownArn}: NotFoundException`);
    for (const result of [wrongContext, unknown]) {
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      expect(result.stdout + result.stderr).not.toContain(kms.credentials.secretAccessKey);
    }
  });

  it('arn+role assumes the role through STS (session sops@host) and sops decrypts the result', async () => {
    const viaProxy = {
      ...env,
      AWS_ENDPOINT_URL_KMS: proxy.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    };
    const before = sts.calls.length;
    const text = await encryptToFile('role.enc.yaml', ['--kms', `${kms.keyArn}+${ROLE}`], viaProxy);
    expect(kmsEntries(text)[0]).toMatchObject({ arn: kms.keyArn, role: ROLE });
    const ours = sts.calls.slice(before);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({
      roleArn: ROLE,
      callerAccessKeyId: kms.credentials.accessKeyId,
    });
    expect(ours[0]?.sessionName).toMatch(/^sops@/);
    // KMS was called with the role's temporary key, not the caller's.
    const encryptCall = proxy.calls.findLast((c) => c.target === 'TrentService.Encrypt');
    expect(encryptCall?.accessKeyId).toBe(ours[0]?.issuedAccessKeyId);

    const theirs = await scratch.sops(['--decrypt', 'role.enc.yaml'], viaProxy);
    expect(theirs.stderr).toBe('');
    expect(theirs.stdout).toBe(PLAIN);
    expect(sts.calls.length).toBe(before + 2);

    const refused = await scratch.kustodian(['decrypt', 'role.enc.yaml'], {
      ...viaProxy,
      AWS_ENDPOINT_URL_STS: await closedAddress(),
    });
    expect(refused.code).toBe(128);
    expect(refused.stderr).toContain(
      `AWS KMS decrypt with ${kms.keyArn}: could not assume role ${ROLE}`,
    );
  });

  it('rotate --add-kms (with context) and --rm-kms, checked with the real sops', async () => {
    const age = await ageKey();
    const ageEnv = { ...env, SOPS_AGE_KEY: age.identity };
    await encryptToFile('rotate.enc.yaml', ['--age', age.recipient]);
    const added = await scratch.kustodian(
      [
        'rotate',
        '--in-place',
        '--add-kms',
        kms.keyArn,
        '--encryption-context',
        'app:web',
        'rotate.enc.yaml',
      ],
      ageEnv,
    );
    expect(added.stderr).toBe('');
    const afterAdd = await scratch.read('rotate.enc.yaml');
    expect(kmsEntries(afterAdd)[0]).toMatchObject({ arn: kms.keyArn, context: { app: 'web' } });
    expect((await scratch.sops(['--decrypt', 'rotate.enc.yaml'], env)).stdout).toBe(PLAIN);

    // Like sops, a KMS key is identified with its context: --rm-kms needs the same context.
    const removed = await scratch.kustodian(
      ['rotate', '-i', '--rm-kms', kms.keyArn, '--aws-context', 'app:web', 'rotate.enc.yaml'],
      ageEnv,
    );
    expect(removed.stderr).toBe('');
    const afterRm = await scratch.read('rotate.enc.yaml');
    expect(kmsEntries(afterRm)).toHaveLength(0);
    expect((await scratch.sops(['--decrypt', 'rotate.enc.yaml'], env)).code).not.toBe(0);
  });

  it('updatekeys adds a key_groups kms key with context and aws_profile', async () => {
    const { dir, age } = await scratch.ageEncryptedApp(env);
    await writeFile(
      join(dir, '.sops.yaml'),
      [
        'creation_rules:',
        '  - key_groups:',
        `      - age: [${age.recipient}]`,
        '        kms:',
        `          - arn: ${kms.keyArn}`,
        '            context: {app: web}',
        '            aws_profile: kustodian-dev',
      ].join('\n'),
    );
    // The profile's own key in a shared credentials file: the KMS call must be signed with it.
    const credentials = join(dir, 'aws-credentials');
    await writeFile(
      credentials,
      '[kustodian-dev]\naws_access_key_id = AKIAPROFILEDEV\naws_secret_access_key = profile-secret\n',
    );
    const profileEnv = {
      ...env,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_ENDPOINT_URL_KMS: proxy.endpoint,
    };
    const updated = await scratch.kustodian(
      ['updatekeys', '-y', 'app.yaml'],
      { ...profileEnv, SOPS_AGE_KEY: age.identity },
      dir,
    );
    expect(updated.stderr).toContain('key groups updated');
    expect(proxy.calls.findLast((c) => c.target === 'TrentService.Encrypt')?.accessKeyId).toBe(
      'AKIAPROFILEDEV',
    );
    const text = await readFile(join(dir, 'app.yaml'), 'utf8');
    expect(kmsEntries(text)[0]).toMatchObject({
      arn: kms.keyArn,
      aws_profile: 'kustodian-dev',
      context: { app: 'web' },
    });
    expect((await scratch.sops(['--decrypt', 'app.yaml'], profileEnv, dir)).stdout).toBe(PLAIN);
    expect((await scratch.kustodian(['decrypt', 'app.yaml'], profileEnv, dir)).stdout).toBe(PLAIN);
  });
});

describe('AWS KMS timeouts and retries', () => {
  let silent: SilentServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.stop();
  });
  const recipient = () => formatAwsKmsRecipient({ arn: kms.keyArn });

  it('a closed port fails fast after the SDK retries, naming the ARN', async () => {
    const source = awsKmsKeySource({
      endpoint: await closedAddress(),
      credentials: kms.credentials,
    });
    const failure = await failedWrap(source, recipient());
    expect(failure.message).toContain(`AWS KMS encrypt with ${kms.keyArn}: could not connect`);
    expect(failure.message).toContain('(3 attempts)');
    expect(failure.elapsedMs).toBeLessThan(10_000);
  });

  it('a server that never answers fails at the deadline, not later', async () => {
    const source = awsKmsKeySource({
      endpoint: silent.address,
      credentials: kms.credentials,
      timeoutMs: 1500,
    });
    const failure = await failedWrap(source, recipient());
    expect(failure.message).toContain(`AWS KMS encrypt with ${kms.keyArn}: no answer within 1.5s`);
    expect(failure.elapsedMs).toBeLessThan(5000);
  });
});
