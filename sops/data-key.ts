import { SopsError } from './errors.ts';
import { describeEntry, type KeySource } from './keys/key-source.ts';
import type { KeyEntry, KeyType, Metadata } from './metadata.ts';

// Only files with several key groups need Shamir; most one-shot runs do not load it.
const loadShamir = () => import('shamir-secret-sharing');

/** sops's default decryption order: age, then PGP, then everything else in file order. */
export const DEFAULT_DECRYPTION_ORDER: readonly KeyType[] = ['age', 'pgp'];

function ordered(group: KeyEntry[], order: readonly KeyType[]): KeyEntry[] {
  const rank = (entry: KeyEntry) => {
    const i = order.indexOf(entry.type);
    return i === -1 ? order.length : i;
  };
  return group
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => rank(a.entry) - rank(b.entry) || a.i - b.i)
    .map(({ entry }) => entry);
}

/**
 * Recovers the data key from the key groups: one key per group, then Shamir-combines the
 * group parts when there are several groups. The error lists every key tried and why it
 * failed, never key material.
 */
export async function recoverDataKey(
  metadata: Metadata,
  sources: readonly KeySource[],
  order: readonly KeyType[] = DEFAULT_DECRYPTION_ORDER,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const failures: string[] = [];
  for (const [index, group] of metadata.keyGroups.entries()) {
    let part: Uint8Array | undefined;
    for (const entry of ordered(group, order)) {
      const source = sources.find((s) => s.type === entry.type);
      if (!source) {
        failures.push(
          `group ${index}: ${describeEntry(entry)}: no key source available for ${entry.type}`,
        );
        continue;
      }
      try {
        part = await source.unwrap(entry);
        break;
      } catch (error) {
        failures.push(
          `group ${index}: ${describeEntry(entry)}: ${error instanceof Error ? error.message : 'failed'}`,
        );
      }
    }
    if (part) parts.push(part);
  }
  const groups = metadata.keyGroups.length;
  if (groups > 1) {
    if (parts.length < metadata.shamirThreshold || parts.length < 2) {
      throw new SopsError(
        'DataKeyUnavailable',
        `could not decrypt the data key: ${parts.length} of ${groups} key groups decrypted, ${Math.max(metadata.shamirThreshold, 2)} required; tried: ${failures.join('; ')}`,
      );
    }
    try {
      return await (await loadShamir()).combine(parts.map((part) => Uint8Array.from(part)));
    } catch (cause) {
      throw new SopsError(
        'DataKeyUnavailable',
        'could not combine the Shamir shares of the key groups',
        { cause },
      );
    }
  }
  const only = parts[0];
  if (!only)
    throw new SopsError(
      'DataKeyUnavailable',
      `no key could decrypt the data key; tried: ${failures.join('; ') || 'nothing'}`,
    );
  return only;
}

/** A recipient to wrap for, grouped as in `key_groups`. */
export interface Recipient {
  type: KeyType;
  /** age recipient, PGP fingerprint, … as written in `.sops.yaml`. */
  id: string;
}

/** Splits the data key across groups (Shamir when more than one) and wraps each part. */
export async function wrapDataKey(
  dataKey: Uint8Array,
  groups: readonly (readonly Recipient[])[],
  threshold: number,
  sources: readonly KeySource[],
): Promise<KeyEntry[][]> {
  if (groups.length === 0 || groups.some((g) => g.length === 0))
    throw new SopsError('EncryptionFailed', 'every key group needs at least one key');
  let parts: Uint8Array[] = [dataKey];
  if (groups.length > 1) {
    const t = threshold > 0 ? threshold : groups.length;
    if (t < 2 || t > groups.length)
      throw new SopsError(
        'EncryptionFailed',
        `shamir threshold ${t} must be between 2 and the number of key groups (${groups.length})`,
      );
    parts = await (await loadShamir()).split(Uint8Array.from(dataKey), groups.length, t);
  }
  return Promise.all(
    groups.map((group, i) =>
      Promise.all(
        group.map(async (recipient) => {
          const source = sources.find((s) => s.type === recipient.type);
          if (!source?.wrap)
            throw new SopsError(
              'EncryptionFailed',
              `no key source can encrypt for ${recipient.type} ${recipient.id}`,
            );
          try {
            return await source.wrap(recipient.id, parts[i] as Uint8Array);
          } catch (cause) {
            throw new SopsError(
              'EncryptionFailed',
              `could not encrypt the data key for ${recipient.type} ${recipient.id}: ${cause instanceof Error ? cause.message : 'failed'}`,
              { cause },
            );
          }
        }),
      ),
    ),
  );
}
