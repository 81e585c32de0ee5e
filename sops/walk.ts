import { createHash, type Hash } from 'node:crypto';
import { dataKeyObject, decryptScalar, encryptScalar, scalarBytes } from './cipher.ts';
import { SopsError } from './errors.ts';
import type { EncryptionRules } from './rules.ts';
import { buildSelector, compileGoRegex } from './rules.ts';
import type { Comment, Scalar, TreeBranches, TreeMap, TreeSeq, TreeValue } from './tree.ts';
import { isComment } from './tree.ts';

type Leaf = Scalar | Comment;
/**
 * Called for every scalar and comment. `path` is the walk's own stack (read it during the call
 * only); `aad` is sops's additional data for the leaf, the path's keys each followed by `:`.
 */
type OnLeaf = (
  leaf: Leaf,
  path: readonly string[],
  comments: readonly (readonly string[])[],
  aad: string,
) => Leaf;

// sops seeds the hash with SHA-256("sops") in mac_only_encrypted mode so both modes differ.
const MAC_ONLY_ENCRYPTED_SEED = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

/** The comments of a level after a value: shared, and replaced by a new array at a comment. */
const NO_COMMENTS: readonly string[] = Object.freeze([]);

/**
 * Adds a comment to the run of comments of a level. In place: a copy per comment made a long
 * run quadratic, and no one keeps these arrays beyond the call they are passed to.
 */
function addComment(comments: (readonly string[])[], level: number, comment: string): void {
  const run = comments[level];
  if (run === undefined || run === NO_COMMENTS) comments[level] = [comment];
  else (run as string[]).push(comment);
}

/**
 * The walk's state: one path stack pushed and popped, the AAD built key by key (a copy of the
 * path and a join per leaf were much of a large file's garbage).
 */
interface Walk {
  path: string[];
  onLeaf: OnLeaf;
}

function walkValue(
  walk: Walk,
  value: TreeValue,
  aad: string,
  comments: (readonly string[])[],
): TreeValue {
  if (value.type === 'map') return walkMap(walk, value, aad, comments);
  if (value.type === 'seq') return walkSeq(walk, value, aad, comments);
  if (value.type === 'null') return value;
  // sops joins the path with ':' and ends it with one: the top level is ':'.
  return walk.onLeaf(value, walk.path, comments, aad === '' ? ':' : aad) as Scalar;
}

function walkSeq(walk: Walk, seq: TreeSeq, aad: string, outer: (readonly string[])[]): TreeSeq {
  const comments = [...outer, NO_COMMENTS];
  const level = comments.length - 1;
  const items = seq.items.map((item) => {
    if (isComment(item)) {
      addComment(comments, level, item.value);
      const next = walk.onLeaf(item, walk.path, comments, aad === '' ? ':' : aad);
      // sops's walkSlice stores an encrypted comment as a plain string item (`- ENC[…]`).
      return next.type === 'comment' && next.value !== item.value
        ? { type: 'str' as const, value: next.value }
        : next;
    }
    const next = walkValue(walk, item, aad, comments);
    comments[level] = NO_COMMENTS;
    return next;
  });
  return { type: 'seq', items };
}

function walkMap(walk: Walk, map: TreeMap, aad: string, outer: (readonly string[])[]): TreeMap {
  const comments = [...outer, NO_COMMENTS];
  const level = comments.length - 1;
  const items = map.items.map((item) => {
    if (isComment(item)) {
      addComment(comments, level, item.value);
      // An encrypted comment keeps its placement; a decrypted one is emitted as a head comment.
      return walk.onLeaf(item, walk.path, comments, aad === '' ? ':' : aad) as Comment;
    }
    walk.path.push(item.key);
    const value = walkValue(walk, item.value, `${aad}${item.key}:`, comments);
    walk.path.pop();
    comments[level] = NO_COMMENTS;
    return { key: item.key, value };
  });
  return { type: 'map', items };
}

function walkBranches(branches: TreeBranches, onLeaf: OnLeaf): TreeBranches {
  return branches.map((branch) => walkMap({ path: [], onLeaf }, branch, '', []));
}

/**
 * sops's MAC: SHA-512 over the bytes of the hashed leaves, in order. Strings are gathered and
 * handed to the hash in one call at the end (a native call per value was a measurable part of
 * a large file); the bytes hashed are the same.
 */
class MacHash {
  private readonly hash: Hash = createHash('sha512');
  private pending = '';

  constructor(macOnlyEncrypted: boolean) {
    if (macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_SEED);
  }

  add(value: Scalar): void {
    if (value.type === 'str' && value.bytes === undefined) {
      // Two halves of a surrogate pair meeting across values would encode as one character,
      // where each value alone encodes its lone half as U+FFFD.
      const first = value.value.charCodeAt(0);
      if (first >= 0xdc00 && first <= 0xdfff) this.flush();
      this.pending += value.value;
      return;
    }
    this.flush();
    this.hash.update(scalarBytes(value));
  }

  /** Upper-case hex, as sops stores it. */
  digest(): string {
    this.flush();
    return this.hash.digest('hex').toUpperCase();
  }

  private flush(): void {
    if (this.pending === '') return;
    this.hash.update(this.pending, 'utf8');
    this.pending = '';
  }
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
  const hash = new MacHash(macOnlyEncrypted);
  const unencryptedComment = rules.unencrypted_comment_regex
    ? compileGoRegex(rules.unencrypted_comment_regex)
    : undefined;
  const onLeaf: OnLeaf = (leaf, path, comments, aad) => {
    const leafIsComment = leaf.type === 'comment';
    const encrypted = select(path, comments, leafIsComment);
    if ((!macOnlyEncrypted || encrypted) && !leafIsComment) hash.add(leaf);
    if (!encrypted) return leaf;
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
  const out = walkBranches(branches, onLeaf);
  return { branches: out, mac: hash.digest() };
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
  const hash = new MacHash(macOnlyEncrypted);
  const onLeaf: OnLeaf = (leaf, path, comments, aad) => {
    const leafIsComment = leaf.type === 'comment';
    const encrypted = select(path, comments, leafIsComment);
    let value: Leaf = leaf;
    if (encrypted) {
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
    if ((!macOnlyEncrypted || encrypted) && value.type !== 'comment') hash.add(value);
    return value;
  };
  const out = walkBranches(branches, onLeaf);
  return { branches: out, mac: hash.digest() };
}
