import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scalarBytes } from './cipher.ts';
import type { Scalar, TreeMap } from './tree.ts';
import { decryptTree, encryptTree } from './walk.ts';

/** sops's MAC by its definition: SHA-512 over each leaf's bytes, one update per leaf. */
function referenceMac(leaves: Scalar[]): string {
  const hash = createHash('sha512');
  for (const leaf of leaves) hash.update(scalarBytes(leaf));
  return hash.digest('hex').toUpperCase();
}

describe('the MAC of a walk', () => {
  it.each([
    { name: 'plain strings', leaves: ['a', 'ключ', '', 'x'.repeat(1000)] },
    { name: 'surrogate halves in neighbouring values', leaves: ['a\ud800', '\udc00b', '\udc00'] },
    { name: 'a lone high surrogate at the end', leaves: ['x', 'y\ud83d'] },
  ])('$name hash as sops hashes them', ({ leaves }) => {
    const scalars: Scalar[] = [
      ...leaves.map((value): Scalar => ({ type: 'str', value })),
      { type: 'int', value: 42n },
      { type: 'str', value: '\ufffd', bytes: Buffer.from([0xff]) },
      { type: 'bool', value: true },
      { type: 'str', value: 'after' },
    ];
    const tree: TreeMap = {
      type: 'map',
      items: scalars.map((value, i) => ({ key: `k${i}`, value })),
    };
    const key = randomBytes(32);
    const encrypted = encryptTree([tree], key, {});
    expect(encrypted.mac).toBe(referenceMac(scalars));
    const decrypted = decryptTree(encrypted.branches, key, {});
    expect(decrypted.mac).toBe(encrypted.mac);
    // Lone surrogates come back as U+FFFD, as from sops.
    const roundTrip = (value: Scalar): Scalar =>
      value.type === 'str' && value.bytes === undefined
        ? { type: 'str', value: Buffer.from(value.value).toString('utf8') }
        : value;
    expect(decrypted.branches).toStrictEqual([
      {
        type: 'map',
        items: scalars.map((value, i) => ({ key: `k${i}`, value: roundTrip(value) })),
      },
    ]);
  });
});

describe('long runs of comments', () => {
  // 40,000 comments in a row before one value: each comment is tested against the comment
  // rules once, not once per later leaf, and the run grows in place.
  const comments = 40_000;
  const tree = (): TreeMap => ({
    type: 'map',
    items: [
      ...Array.from({ length: comments }, (_, i) => ({
        type: 'comment' as const,
        value: i === 7 ? ' sops:secret' : ` note ${i}`,
        inline: false,
      })),
      { key: 'password', value: { type: 'str', value: 'hunter2' } },
    ],
  });

  it.each([
    // A marked comment before the value selects it (and every comment after the mark).
    { rules: { encrypted_comment_regex: 'sops:secret' }, encrypted: comments - 8 + 1 },
    // A marked comment keeps everything after it in the run in the clear.
    { rules: { unencrypted_comment_regex: 'sops:secret' }, encrypted: 7 },
  ])('$rules: the same selection as comment by comment', ({ rules, encrypted }) => {
    const key = randomBytes(32);
    const result = encryptTree([tree()], key, rules);
    const items = result.branches[0]?.items ?? [];
    const isEnvelope = (text: string) => text.startsWith('ENC[AES256_GCM,');
    const count = items.filter((item) =>
      'key' in item
        ? item.value.type === 'str' && isEnvelope(item.value.value)
        : isEnvelope(item.value),
    ).length;
    expect(count).toBe(encrypted);
    const decrypted = decryptTree(result.branches, key, rules);
    expect(decrypted.mac).toBe(result.mac);
    expect(decrypted.branches).toStrictEqual([tree()]);
  });
});
