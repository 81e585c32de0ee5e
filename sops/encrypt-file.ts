import { randomBytes } from 'node:crypto';
import { encryptScalar } from './cipher.ts';
import type { Recipient } from './data-key.ts';
import { wrapDataKey } from './data-key.ts';
import { SopsError, withPath } from './errors.ts';
import type { KeySource } from './keys/key-source.ts';
import { nowRfc3339 } from './keys/key-source.ts';
import type { KeyEntry, Metadata } from './metadata.ts';
import { serializeMetadata } from './metadata.ts';
import type { EncryptionRules } from './rules.ts';
import { checkSingleRule, RULE_NAMES } from './rules.ts';
import type { Format, StoreOptions } from './stores/index.ts';
import { checkInputSize, formatForPath, storeFor } from './stores/index.ts';
import type { TreeBranches } from './tree.ts';
import { isComment } from './tree.ts';
import { encryptTree } from './walk.ts';

/** The sops release whose format we write. */
export const SOPS_FORMAT_VERSION = '3.13.3';

export interface EncryptOptions {
  format?: Format;
  path?: string;
  /** Key groups of recipients; one group unless Shamir splitting is wanted. */
  keyGroups: readonly (readonly Recipient[])[];
  /** Number of groups needed to decrypt (default: all groups). */
  shamirThreshold?: number;
  rules?: EncryptionRules;
  keySources: readonly KeySource[];
  storeOptions?: StoreOptions;
  /** Refuse larger input (default 32 MiB for structured formats, 512 MiB for binary). */
  maxInputBytes?: number;
}

function hasSopsKey(branches: TreeBranches, format: Format): boolean {
  const first = branches[0];
  if (!first) return false;
  return first.items.some(
    (item) =>
      !isComment(item) &&
      (format === 'dotenv' ? item.key.startsWith('sops_') : item.key === 'sops'),
  );
}

/** Encrypts already-parsed branches with a given data key and key entries. */
export function sealBranches(
  branches: TreeBranches,
  dataKey: Uint8Array,
  base: Omit<Metadata, 'lastmodified' | 'mac'>,
  reuseIv?: Parameters<typeof encryptTree>[3],
): { branches: TreeBranches; metadata: Metadata } {
  const encrypted = encryptTree(branches, dataKey, base, reuseIv);
  const lastmodified = nowRfc3339();
  const mac = encryptScalar({ type: 'str', value: encrypted.mac }, dataKey, lastmodified);
  return { branches: encrypted.branches, metadata: { ...base, lastmodified, mac } };
}

/** Writes an encrypted tree with its metadata in the given store format. */
export function emitEncrypted(
  format: Format,
  branches: TreeBranches,
  metadata: Metadata,
  storeOptions?: StoreOptions,
): Uint8Array {
  return storeFor(format, storeOptions).emitEncrypted(branches, serializeMetadata(metadata));
}

/** The rules to store: the given one, or sops's default `_unencrypted` suffix (not for binary). */
export function effectiveRules(rules: EncryptionRules, format: Format): EncryptionRules {
  checkSingleRule(rules);
  if (format === 'binary') return rules.mac_only_encrypted ? { mac_only_encrypted: true } : {};
  const hasRule = RULE_NAMES.some((name) => (rules[name] ?? '') !== '');
  return hasRule ? rules : { ...rules, unencrypted_suffix: '_unencrypted' };
}

/**
 * Encrypts a plaintext file as `sops --encrypt` does: a fresh data key wrapped for every
 * recipient (Shamir-split across groups), selected values encrypted, MAC computed.
 */
export async function encryptFile(bytes: Uint8Array, options: EncryptOptions): Promise<Uint8Array> {
  const format = options.format ?? formatForPath(options.path ?? '');
  try {
    if (bytes.length === 0)
      throw new SopsError(
        'InvalidInput',
        'File cannot be completely empty, it must contain at least one document',
      );
    checkInputSize(format, bytes.length, options.maxInputBytes);
    const branches = storeFor(format, options.storeOptions).loadPlain(bytes);
    if (hasSopsKey(branches, format))
      throw new SopsError('AlreadyEncrypted', 'File already encrypted');
    const dataKey = randomBytes(32);
    const threshold =
      options.keyGroups.length > 1 ? (options.shamirThreshold ?? options.keyGroups.length) : 0;
    const keyGroups: KeyEntry[][] = await wrapDataKey(
      dataKey,
      options.keyGroups,
      threshold,
      options.keySources,
    );
    const rules = effectiveRules(options.rules ?? {}, format);
    const sealed = sealBranches(branches, dataKey, {
      ...rules,
      keyGroups,
      shamirThreshold: threshold,
      version: SOPS_FORMAT_VERSION,
    });
    return emitEncrypted(format, sealed.branches, sealed.metadata, options.storeOptions);
  } catch (error) {
    throw withPath(error, options.path);
  }
}
