import { createHash, type Hash } from 'node:crypto';
import { dataKeyObject, decryptScalar, encryptScalar, scalarBytes } from './cipher.ts';
import { SopsError } from './errors.ts';
import type { EncryptionRules } from './rules.ts';
import { buildSelector, compileGoRegex } from './rules.ts';
import type { Comment, Scalar, TreeBranches, TreeMap, TreeSeq, TreeValue } from './tree.ts';
import { isComment } from './tree.ts';

type Leaf = Scalar | Comment;
type OnLeaf = (
  leaf: Leaf,
  path: readonly string[],
  comments: readonly (readonly string[])[],
) => Leaf;

// sops seeds the hash with SHA-256("sops") in mac_only_encrypted mode so both modes differ.
const MAC_ONLY_ENCRYPTED_SEED = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

function walkValue(
  value: TreeValue,
  path: string[],
  comments: string[][],
  onLeaf: OnLeaf,
): TreeValue {
  if (value.type === 'map') return walkMap(value, path, comments, onLeaf);
  if (value.type === 'seq') return walkSeq(value, path, comments, onLeaf);
  if (value.type === 'null') return value;
  return onLeaf(value, path, comments) as Scalar;
}

function walkSeq(seq: TreeSeq, path: string[], outer: string[][], onLeaf: OnLeaf): TreeSeq {
  const comments = [...outer, []];
  const level = comments.length - 1;
  const items = seq.items.map((item) => {
    if (isComment(item)) {
      comments[level] = [...(comments[level] ?? []), item.value];
      const next = onLeaf(item, path, comments);
      // sops's walkSlice stores an encrypted comment as a plain string item (`- ENC[…]`).
      return next.type === 'comment' && next.value !== item.value
        ? { type: 'str' as const, value: next.value }
        : next;
    }
    const next = walkValue(item, path, comments, onLeaf);
    comments[level] = [];
    return next;
  });
  return { type: 'seq', items };
}

function walkMap(map: TreeMap, path: string[], outer: string[][], onLeaf: OnLeaf): TreeMap {
  const comments = [...outer, []];
  const level = comments.length - 1;
  const items = map.items.map((item) => {
    if (isComment(item)) {
      comments[level] = [...(comments[level] ?? []), item.value];
      const next = onLeaf(item, path, comments) as Comment;
      // An encrypted comment keeps its placement; a decrypted one is emitted as a head comment.
      return next;
    }
    const value = walkValue(item.value, [...path, item.key], comments, onLeaf);
    comments[level] = [];
    return { key: item.key, value };
  });
  return { type: 'map', items };
}

function newMacHash(macOnlyEncrypted: boolean): Hash {
  const hash = createHash('sha512');
  if (macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_SEED);
  return hash;
}

function keyPath(path: readonly string[]): string {
  return path.length === 0 ? '(top level)' : path.join('.');
}

export interface WalkResult {
  branches: TreeBranches;
  /** Upper-case hex SHA-512 over the plaintext leaves, as sops computes the MAC. */
  mac: string;
}

/** Encrypts every selected leaf with the data key and computes the MAC over the plaintext. */
export function encryptTree(
  branches: TreeBranches,
  dataKey: Uint8Array,
  rules: EncryptionRules,
  reuseIv?: (leaf: Leaf, aad: string) => Uint8Array | undefined,
): WalkResult {
  const select = buildSelector(rules);
  const key = dataKeyObject(dataKey);
  const macOnlyEncrypted = rules.mac_only_encrypted === true;
  const hash = newMacHash(macOnlyEncrypted);
  const unencryptedComment = rules.unencrypted_comment_regex
    ? compileGoRegex(rules.unencrypted_comment_regex)
    : undefined;
  const onLeaf: OnLeaf = (leaf, path, comments) => {
    const leafIsComment = leaf.type === 'comment';
    const encrypted = select(path, comments, leafIsComment);
    if ((!macOnlyEncrypted || encrypted) && !leafIsComment) hash.update(scalarBytes(leaf));
    if (!encrypted) return leaf;
    const aad = `${path.join(':')}:`;
    const text = encryptScalar(leaf, key, aad, reuseIv?.(leaf, aad));
    if (leafIsComment) {
      if (unencryptedComment?.test(text)) {
        throw new SopsError(
          'EncryptionFailed',
          'an encrypted comment matches unencrypted_comment_regex; make the regex unable to match ENC[…] text',
        );
      }
      return { type: 'comment', value: text, inline: leaf.inline };
    }
    return { type: 'str', value: text };
  };
  const out = branches.map((branch) => walkMap(branch, [], [], onLeaf));
  return { branches: out, mac: hash.digest('hex').toUpperCase() };
}

/**
 * Decrypts every selected leaf and computes the MAC over the plaintext. Selected comments that
 * do not decrypt stay as they are (files from old sops releases had plaintext comments).
 */
export function decryptTree(
  branches: TreeBranches,
  dataKey: Uint8Array,
  rules: EncryptionRules,
): WalkResult {
  const select = buildSelector(rules);
  const key = dataKeyObject(dataKey);
  const macOnlyEncrypted = rules.mac_only_encrypted === true;
  const hash = newMacHash(macOnlyEncrypted);
  const onLeaf: OnLeaf = (leaf, path, comments) => {
    const leafIsComment = leaf.type === 'comment';
    const encrypted = select(path, comments, leafIsComment);
    let value: Leaf = leaf;
    if (encrypted) {
      const aad = `${path.join(':')}:`;
      if (leafIsComment) {
        try {
          const plain = decryptScalar(leaf.value, key, aad);
          // Like sops's walkBranch: a comment that decrypts to text stays a comment.
          value =
            plain.type === 'comment'
              ? plain
              : {
                  type: 'comment',
                  value: 'value' in plain ? String(plain.value) : '',
                  inline: leaf.inline,
                };
        } catch {
          value = leaf;
        }
      } else if (leaf.type === 'str') {
        try {
          value = decryptScalar(leaf.value, key, aad);
        } catch (error) {
          const reason = error instanceof Error ? error.message : 'unknown error';
          throw new SopsError('ValueDecryptionFailed', `key "${keyPath(path)}": ${reason}`);
        }
      } else {
        throw new SopsError(
          'ValueDecryptionFailed',
          `key "${keyPath(path)}": expected an encrypted value (ENC[…] string), found a ${leaf.type}`,
        );
      }
    }
    if ((!macOnlyEncrypted || encrypted) && value.type !== 'comment')
      hash.update(scalarBytes(value));
    return value;
  };
  const out = branches.map((branch) => walkMap(branch, [], [], onLeaf));
  return { branches: out, mac: hash.digest('hex').toUpperCase() };
}
