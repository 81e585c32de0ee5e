import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readPublicKeys,
  splitCommitSignature,
  splitTagSignature,
  verifyDetached,
} from './signature-verify.ts';

const payload = [
  'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  'author A <a@example.com> 1700000000 +0000',
  'committer A <a@example.com> 1700000000 +0000',
  '',
  'message with ünïcode',
  '',
].join('\n');

let armoredKey: string;
let signature: string;

function commitWith(sig: string): Buffer {
  const [tree, author, committer, ...rest] = payload.split('\n');
  const header = `gpgsig ${sig.trimEnd().split('\n').join('\n ')}`;
  return Buffer.from([tree, author, committer, header, ...rest].join('\n'), 'utf8');
}

beforeAll(async () => {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'T' }],
    format: 'object',
  });
  armoredKey = publicKey.armor();
  const message = await openpgp.createMessage({ binary: Buffer.from(payload, 'utf8') });
  signature = (await openpgp.sign({
    message,
    signingKeys: privateKey,
    detached: true,
    format: 'armored',
  })) as string;
});

describe('signature splitting and verification', () => {
  it('splits a gpgsig header back into the signed payload and signature', async () => {
    const split = splitCommitSignature(commitWith(signature));
    expect(split.payload.toString('utf8')).toBe(payload);
    expect(split.signature?.trim()).toBe(signature.trim());
    const keys = await readPublicKeys([armoredKey]);
    await expect(verifyDetached(split.payload, split.signature as string, keys)).resolves.toMatch(
      /^[0-9A-F]{16}$/,
    );
  });

  it('a tampered payload is refused', async () => {
    const split = splitCommitSignature(commitWith(signature));
    const tampered = Buffer.from(
      split.payload.toString('utf8').replace('ünïcode', 'unicode'),
      'utf8',
    );
    const keys = await readPublicKeys([armoredKey]);
    await expect(verifyDetached(tampered, split.signature as string, keys)).rejects.toThrow(
      /no public key/,
    );
  });

  it('an unsigned commit has no signature', () => {
    expect(splitCommitSignature(Buffer.from(payload)).signature).toBeUndefined();
  });

  it('splits a signed tag at the armor line', () => {
    const tag = `object abc\ntype commit\ntag v1\ntagger T <t@e> 1 +0000\n\nrelease\n${signature}`;
    const split = splitTagSignature(Buffer.from(tag));
    expect(split.payload.toString()).toBe(
      'object abc\ntype commit\ntag v1\ntagger T <t@e> 1 +0000\n\nrelease\n',
    );
    expect(split.signature).toBe(signature);
  });

  it('values that are not keys are skipped', async () => {
    expect(await readPublicKeys(['hello', Buffer.from(armoredKey)])).toHaveLength(1);
  });
});
