import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutRepository,
  type GitCheckout,
  type GitReference,
  type VerificationError,
  type VerificationMode,
  verifySignatures,
} from '../../controllers/source/index.ts';
import {
  createGpgKey,
  createTestRepo,
  disposeGpgKey,
  type GpgKey,
  type TestRepo,
} from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import { createTestPki } from './tls-pki.ts';

let work: string;
let server: HttpsGitServer;
let repo: TestRepo;
let trusted: GpgKey;
let stranger: GpgKey;
let ca: Record<string, Buffer>;
let n = 0;

async function checkout(reference: GitReference): Promise<GitCheckout> {
  n += 1;
  const result = await checkoutRepository({
    url: `${server.baseUrl}${repo.httpPath}`,
    dir: join(work, `co-${n}`),
    reference,
    secret: ca,
  });
  if (!result.changed) throw new Error('expected a checkout');
  return result.checkout;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-verify-'));
  const pki = await createTestPki(work);
  ca = { 'ca.crt': Buffer.from(pki.caCert) };
  [trusted, stranger] = await Promise.all([
    createGpgKey(work, 'trusted'),
    createGpgKey(work, 'stranger'),
  ]);
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'signed',
  });
  await repo.commit({ 'a.yaml': 'signed: true\nname: Zoë\n' }, 'signed commit — ünïcode', {
    sign: trusted,
    branch: 'signed',
  });
  await repo.tag('v1.0.0', { message: 'signed tag', sign: trusted });
  await repo.tag('v1.0.0-annotated', { message: 'unsigned annotated' });
  await repo.tag('v1.0.0-light');
  await repo.commit({ 'a.yaml': 'signed: false\n' }, 'unsigned commit', { branch: 'unsigned' });
  await repo.commit({ 'a.yaml': 'stranger\n' }, 'signed by a stranger', {
    sign: stranger,
    branch: 'stranger',
  });
  server = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([trusted, stranger].filter(Boolean).map((k) => disposeGpgKey(k)));
  await rm(work, { recursive: true, force: true });
});

describe('OpenPGP verification of real signed commits and tags', () => {
  it.each<{ name: string; reference: GitReference; mode: VerificationMode; want: string[] }>([
    {
      name: 'signed HEAD commit',
      reference: { branch: 'signed' },
      mode: 'HEAD',
      want: ['- commit '],
    },
    {
      name: 'signed tag',
      reference: { tag: 'v1.0.0' },
      mode: 'Tag',
      want: ["- tag 'v1.0.0' with key"],
    },
    {
      name: 'signed tag and its signed commit',
      reference: { tag: 'v1.0.0' },
      mode: 'TagAndHEAD',
      want: ["- tag 'v1.0.0'", '- commit '],
    },
    {
      name: 'semver ref resolving to the signed tag',
      reference: { semver: '1.0.0' },
      mode: 'Tag',
      want: ["tag 'v1.0.0'"],
    },
  ])('$name verifies', async ({ reference, mode, want }) => {
    const co = await checkout(reference);
    const message = await verifySignatures({
      dir: co.dir,
      commit: co.commit,
      ...(co.tagRef ? { tagRef: co.tagRef } : {}),
      mode,
      keyRings: [trusted.publicKey],
    });
    for (const part of want) expect(message).toContain(part);
    expect(message).toContain(trusted.fingerprint.slice(-16));
  });

  it.each<{
    name: string;
    reference: GitReference;
    mode: VerificationMode;
    keys: () => string[];
    code: string;
  }>([
    {
      name: 'unsigned commit with verify HEAD',
      reference: { branch: 'unsigned' },
      mode: 'HEAD',
      keys: () => [trusted.publicKey],
      code: 'InvalidCommitSignature',
    },
    {
      name: 'commit signed by an unknown key',
      reference: { branch: 'stranger' },
      mode: 'HEAD',
      keys: () => [trusted.publicKey],
      code: 'InvalidCommitSignature',
    },
    {
      name: 'signed commit with only the wrong public key',
      reference: { branch: 'signed' },
      mode: 'HEAD',
      keys: () => [stranger.publicKey],
      code: 'InvalidCommitSignature',
    },
    {
      name: 'unsigned annotated tag',
      reference: { tag: 'v1.0.0-annotated' },
      mode: 'Tag',
      keys: () => [trusted.publicKey],
      code: 'InvalidGitObject',
    },
    {
      name: 'lightweight tag',
      reference: { tag: 'v1.0.0-light' },
      mode: 'Tag',
      keys: () => [trusted.publicKey],
      code: 'InvalidGitObject',
    },
    {
      name: 'tag mode on a branch',
      reference: { branch: 'signed' },
      mode: 'Tag',
      keys: () => [trusted.publicKey],
      code: 'InvalidVerificationMode',
    },
    {
      name: 'signed tag with the wrong key',
      reference: { tag: 'v1.0.0' },
      mode: 'Tag',
      keys: () => [stranger.publicKey],
      code: 'InvalidTagSignature',
    },
    {
      name: 'a secret without keys',
      reference: { branch: 'signed' },
      mode: 'HEAD',
      keys: () => ['not a key'],
      code: 'VerificationError',
    },
  ])('$name is refused with $code', async ({ reference, mode, keys, code }) => {
    const co = await checkout(reference);
    const error = (await verifySignatures({
      dir: co.dir,
      commit: co.commit,
      ...(co.tagRef ? { tagRef: co.tagRef } : {}),
      mode,
      keyRings: keys(),
    }).catch((e: unknown) => e)) as VerificationError;
    expect(error.code).toBe(code);
  });

  it('accepts several keys and verifies with whichever signed', async () => {
    const co = await checkout({ branch: 'stranger' });
    const message = await verifySignatures({
      dir: co.dir,
      commit: co.commit,
      mode: 'HEAD',
      keyRings: [Buffer.from(trusted.publicKey), stranger.publicKey],
    });
    expect(message).toContain(stranger.fingerprint.slice(-16));
  });
});
