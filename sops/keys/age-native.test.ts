import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSshEd25519, generateSshRsa } from '../../test/sops/sops-fixtures.ts';
import { pathWithTestbed } from '../../test/testbed/paths.ts';
import type { KeyEntry } from '../metadata.ts';
import { ageKeySource } from './age-key-source.ts';
import { decodeBech32 } from './age-x25519.ts';

// The native age path (Node's crypto, no age-encryption) against the real `age` binary of the
// test bed: what age encrypts we decrypt, what we encrypt age decrypts.
const env = { ...process.env, PATH: pathWithTestbed() };
const dir = mkdtempSync(join(tmpdir(), 'kustodian-age-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], input?: Uint8Array): Buffer {
  const result = spawnSync(command, args, { env, input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

function keygen(name: string, pq = false): { identity: string; recipient: string; file: string } {
  const file = join(dir, `${name}.txt`);
  run('age-keygen', [...(pq ? ['-pq'] : []), '-o', file]);
  const identity = readFileSync(file, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (!identity) throw new Error('age-keygen wrote no identity');
  return { identity, recipient: run('age-keygen', ['-y', file]).toString().trim(), file };
}

const entry = (enc: string): KeyEntry => ({ type: 'age', enc, fields: {} });
const ageEncrypt = (recipientArgs: string[], data: Uint8Array) =>
  run('age', ['-e', '-a', ...recipientArgs], data).toString();

const alice = keygen('alice');
const bob = keygen('bob');
const pq = keygen('pq', true);
const dataKey = Buffer.alloc(32, 7);
// More than one 64 KiB STREAM chunk, to cover the chunk counter and the last-chunk flag.
const large = Buffer.alloc(200 * 1024, 3);

describe('native age (X25519) against the real age binary', () => {
  it.each([
    { name: 'a file age encrypted to us decrypts', recipients: [alice], want: dataKey },
    { name: 'our stanza may come second', recipients: [bob, alice], want: dataKey },
    { name: 'a multi-chunk payload decrypts', recipients: [alice], want: large },
  ])('$name', async ({ recipients, want }) => {
    const enc = ageEncrypt(
      recipients.flatMap((r) => ['-r', r.recipient]),
      want,
    );
    const got = await ageKeySource([bob.identity, alice.identity]).unwrap(entry(enc));
    expect(Buffer.from(got).equals(want)).toBe(true);
  });

  it.each([
    { name: 'a data key we wrap decrypts with age', part: dataKey },
    { name: 'a multi-chunk payload we wrap decrypts with age', part: large },
  ])('$name', async ({ part }) => {
    const wrapped = await ageKeySource().wrap?.(alice.recipient, part);
    if (!wrapped) throw new Error('no entry');
    expect(wrapped.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(wrapped.enc).toMatch(/\n-----END AGE ENCRYPTED FILE-----\n$/);
    const encPath = join(dir, 'wrapped.age');
    writeFileSync(encPath, wrapped.enc);
    expect(run('age', ['-d', '-i', alice.file, encPath]).equals(part)).toBe(true);
  });

  it('an SSH ed25519 key: age encrypts, we decrypt; we encrypt, age decrypts', async () => {
    const ssh = generateSshEd25519();
    const keyPath = join(dir, 'id_ed25519');
    writeFileSync(keyPath, ssh.privateKey, { mode: 0o600 });
    const enc = ageEncrypt(['-r', ssh.publicKey], dataKey);
    expect(Buffer.from(await ageKeySource([ssh.privateKey]).unwrap(entry(enc)))).toEqual(dataKey);
    const wrapped = await ageKeySource().wrap?.(ssh.publicKey, dataKey);
    writeFileSync(join(dir, 'ssh.age'), wrapped?.enc ?? '');
    expect(run('age', ['-d', '-i', keyPath, join(dir, 'ssh.age')]).equals(dataKey)).toBe(true);
  });

  it('an SSH RSA key (a multi-line stanza body): age encrypts, we decrypt, and back', async () => {
    const rsa = generateSshRsa();
    const keyPath = join(dir, 'id_rsa');
    writeFileSync(keyPath, rsa.privateKey, { mode: 0o600 });
    const enc = ageEncrypt(['-r', rsa.publicKey, '-r', alice.recipient], dataKey);
    expect(Buffer.from(await ageKeySource([rsa.privateKey]).unwrap(entry(enc)))).toEqual(dataKey);
    const wrapped = await ageKeySource().wrap?.(rsa.publicKey, dataKey);
    writeFileSync(join(dir, 'rsa.age'), wrapped?.enc ?? '');
    expect(run('age', ['-d', '-i', keyPath, join(dir, 'rsa.age')]).equals(dataKey)).toBe(true);
  });

  it('post-quantum keys fall back to age-encryption both ways', async () => {
    const enc = ageEncrypt(['-r', pq.recipient], dataKey);
    const got = await ageKeySource([alice.identity, pq.identity]).unwrap(entry(enc));
    expect(Buffer.from(got).equals(dataKey)).toBe(true);
    const wrapped = await ageKeySource().wrap?.(pq.recipient, dataKey);
    writeFileSync(join(dir, 'pq.age'), wrapped?.enc ?? '');
    expect(run('age', ['-d', '-i', pq.file, join(dir, 'pq.age')]).equals(dataKey)).toBe(true);
  });

  it('an X25519 stanza is not given to the fallback when no identity matches', async () => {
    const enc = ageEncrypt(['-r', bob.recipient], dataKey);
    await expect(ageKeySource([alice.identity, pq.identity]).unwrap(entry(enc))).rejects.toThrow(
      /no identity matched/,
    );
  });
});

describe('native age refusals', () => {
  const enc = ageEncrypt(['-r', alice.recipient], dataKey);
  const bytes = () => {
    const body = enc.trim().split('\n').slice(1, -1).join('');
    return Buffer.from(body, 'base64');
  };
  const armor = (file: Buffer) =>
    `-----BEGIN AGE ENCRYPTED FILE-----\n${(file.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END AGE ENCRYPTED FILE-----\n`;
  const tamperedPayload = () => {
    const file = bytes();
    file[file.length - 1] = (file[file.length - 1] ?? 0) ^ 1;
    return armor(file);
  };
  const tamperedMac = () => {
    const file = bytes();
    const at = file.indexOf('--- ') + 5;
    file[at] = file[at] === 0x41 ? 0x42 : 0x41;
    return armor(file);
  };

  it.each([
    {
      name: 'a wrong key finds no matching recipient',
      ids: [bob.identity],
      input: enc,
      want: /no identity matched/,
    },
    {
      name: 'a tampered payload is refused',
      ids: [alice.identity],
      input: tamperedPayload(),
      want: /decryption failed/,
    },
    {
      name: 'a tampered header MAC is refused',
      ids: [alice.identity],
      input: tamperedMac(),
      want: /decryption failed/,
    },
    {
      name: 'broken armor is refused',
      ids: [alice.identity],
      input: enc.replace('-----END', '-----FIN'),
      want: /not a valid armored age file/,
    },
  ])('$name', async ({ ids, input, want }) => {
    const error = await ageKeySource(ids)
      .unwrap(entry(input))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(want);
    expect(message).not.toContain(alice.identity);
    expect(message).not.toContain(dataKey.toString('base64'));
  });

  it('a secret key with a bad checksum is refused without echoing it', () => {
    const last = alice.identity.at(-1) === 'Q' ? 'P' : 'Q';
    const broken = `${alice.identity.slice(0, -1)}${last}`;
    expect(() => decodeBech32(broken, 'age-secret-key-')).toThrow(/checksum/);
    expect(() => decodeBech32(broken, 'age-secret-key-')).not.toThrow(broken);
  });
});
