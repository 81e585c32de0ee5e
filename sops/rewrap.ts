import { randomBytes } from 'node:crypto';
import type { Recipient } from './data-key.ts';
import { DEFAULT_DECRYPTION_ORDER, recoverDataKey, wrapDataKey } from './data-key.ts';
import type { DecryptOptions } from './decrypt-file.ts';
import { decryptFile, loadEncryptedFile } from './decrypt-file.ts';
import { emitEncrypted, SOPS_FORMAT_VERSION, sealBranches } from './encrypt-file.ts';
import { SopsError, withPath } from './errors.ts';
import { awsKmsKeyFromEntry, formatAwsKmsRecipient } from './keys/aws-kms-key-source.ts';
import type { KeyEntry, Metadata } from './metadata.ts';
import { serializeMetadata } from './metadata.ts';
import { storeFor } from './stores/index.ts';
import type { Comment, Scalar } from './tree.ts';

// semver is many CommonJS files; only `edit` needs it, so a one-shot decrypt does not load it.
const loadSemver = async () => (await import('semver')).default;

/** The recipient an existing entry was wrapped for, in `.sops.yaml` / CLI flag terms. */
export function entryRecipient(entry: KeyEntry): Recipient {
  const f = entry.fields;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const ids: Record<KeyEntry['type'], () => string> = {
    age: () => text(f.recipient),
    pgp: () => text(f.fp),
    // sops' key string, so role, context and profile survive rotate and updatekeys.
    kms: () => formatAwsKmsRecipient(awsKmsKeyFromEntry(entry)),
    gcp_kms: () => text(f.resource_id),
    hckms: () => text(f.key_id),
    azure_kv: () => `${text(f.vault_url)}/keys/${text(f.name)}/${text(f.version)}`,
    hc_vault: () => `${text(f.vault_address)}/v1/${text(f.engine_path)}/keys/${text(f.key_name)}`,
  };
  return { type: entry.type, id: ids[entry.type]() };
}

function sameRecipient(a: Recipient, b: Recipient): boolean {
  return (
    a.type === b.type &&
    a.id.replace(/\s/g, '').toUpperCase() === b.id.replace(/\s/g, '').toUpperCase()
  );
}

export interface RotateOptions extends DecryptOptions {
  /** Recipients added to the first key group. */
  add?: readonly Recipient[];
  /** Recipients removed from every group. */
  remove?: readonly Recipient[];
}

/**
 * `sops rotate`: decrypts, generates a new data key, wraps it for every (remaining) recipient
 * and re-encrypts every value. A removed recipient can no longer decrypt the result.
 */
export async function rotateFile(bytes: Uint8Array, options: RotateOptions): Promise<Uint8Array> {
  const decrypted = await decryptFile(bytes, options);
  try {
    const groups = decrypted.metadata.keyGroups.map((group) =>
      group
        .map(entryRecipient)
        .filter((r) => !(options.remove ?? []).some((x) => sameRecipient(r, x))),
    );
    groups[0]?.push(
      ...(options.add ?? []).filter((r) => !groups[0]?.some((x) => sameRecipient(r, x))),
    );
    const dataKey = randomBytes(32);
    const keyGroups = await wrapDataKey(
      dataKey,
      groups,
      decrypted.metadata.shamirThreshold,
      options.keySources,
    );
    const { mac: _mac, lastmodified: _last, ...base } = decrypted.metadata;
    const sealed = sealBranches(decrypted.branches, dataKey, {
      ...base,
      keyGroups,
      version: SOPS_FORMAT_VERSION,
    });
    const format = options.format ?? loadEncryptedFile(bytes, options).format;
    return emitEncrypted(format, sealed.branches, sealed.metadata, options.storeOptions);
  } catch (error) {
    throw withPath(error, options.path);
  }
}

export interface UpdateKeysOptions extends DecryptOptions {
  keyGroups: readonly (readonly Recipient[])[];
  shamirThreshold?: number;
}

/** Whether the file's key groups already equal the wanted ones (compared by identity). */
export function keyGroupsMatch(
  metadata: Metadata,
  wanted: readonly (readonly Recipient[])[],
  threshold: number | undefined,
): boolean {
  if (metadata.keyGroups.length !== wanted.length) return false;
  if (wanted.length > 1 && (threshold ?? wanted.length) !== metadata.shamirThreshold) return false;
  return metadata.keyGroups.every((group, i) => {
    const want = wanted[i] ?? [];
    const have = group.map(entryRecipient);
    return have.length === want.length && have.every((r) => want.some((w) => sameRecipient(r, w)));
  });
}

/**
 * `sops updatekeys`: re-wraps the same data key for new key groups. Values, MAC and
 * `lastmodified` stay as they are. Returns undefined when nothing changes.
 */
export async function updateKeysFile(
  bytes: Uint8Array,
  options: UpdateKeysOptions,
): Promise<Uint8Array | undefined> {
  const loaded = loadEncryptedFile(bytes, options);
  try {
    if (keyGroupsMatch(loaded.metadata, options.keyGroups, options.shamirThreshold))
      return undefined;
    const dataKey = await recoverDataKey(
      loaded.metadata,
      options.keySources,
      options.decryptionOrder ?? DEFAULT_DECRYPTION_ORDER,
    );
    const threshold =
      options.keyGroups.length > 1
        ? Math.min(
            options.shamirThreshold || loaded.metadata.shamirThreshold || options.keyGroups.length,
            options.keyGroups.length,
          )
        : 0;
    const keyGroups = await wrapDataKey(dataKey, options.keyGroups, threshold, options.keySources);
    const metadata: Metadata = { ...loaded.metadata, keyGroups, shamirThreshold: threshold };
    return storeFor(loaded.format, options.storeOptions).emitEncrypted(
      loaded.branches,
      serializeMetadata(metadata),
    );
  } catch (error) {
    throw withPath(error, options.path);
  }
}

/**
 * Re-encrypts edited plaintext with the file's data key, as `sops edit` does. Values whose
 * plaintext and path did not change keep their IV, so their envelope stays byte-identical.
 */
export async function reencryptEdited(
  original: Uint8Array,
  edited: Uint8Array,
  options: DecryptOptions,
): Promise<Uint8Array> {
  const loaded = loadEncryptedFile(original, options);
  const decrypted = await decryptFile(original, options);
  try {
    const stash = new Map<string, Uint8Array>();
    collectIvs(loaded.branches, decrypted.branches, stash);
    const branches = storeFor(loaded.format, options.storeOptions).loadPlain(edited);
    if (branches.length === 0)
      throw new SopsError('InvalidInput', 'the edited file has no document');
    const { mac: _mac, lastmodified: _last, ...base } = decrypted.metadata;
    // Like sops edit: bump the version to ours unless the file was written by a newer release.
    const semver = await loadSemver();
    const existing = semver.coerce(base.version);
    const version =
      existing && semver.gt(existing, SOPS_FORMAT_VERSION) ? base.version : SOPS_FORMAT_VERSION;
    const sealed = sealBranches(branches, decrypted.dataKey, { ...base, version }, (leaf, aad) =>
      stash.get(stashKey(leaf, aad)),
    );
    return emitEncrypted(loaded.format, sealed.branches, sealed.metadata, options.storeOptions);
  } catch (error) {
    throw withPath(error, options.path);
  }
}

function stashKey(leaf: Scalar | Comment, aad: string): string {
  return `${aad}\u0000${leaf.type}\u0000${'value' in leaf ? String(leaf.value) : ''}`;
}

// Walks the encrypted and decrypted trees in parallel to remember each value's IV.
function collectIvs(
  encrypted: unknown,
  decrypted: unknown,
  stash: Map<string, Uint8Array>,
  path: string[] = [],
): void {
  if (Array.isArray(encrypted) && Array.isArray(decrypted)) {
    for (const [i, e] of encrypted.entries()) collectIvs(e, decrypted[i], stash, path);
    return;
  }
  const e = encrypted as
    | { type?: string; items?: unknown[]; key?: string; value?: unknown }
    | undefined;
  const d = decrypted as typeof e;
  if (!e || !d) return;
  if ((e.type === 'map' || e.type === 'seq') && e.items && d.items) {
    e.items.forEach((item, i) => {
      const other = d.items?.[i] as { key?: string; value?: unknown; type?: string } | undefined;
      const it = item as { key?: string; value?: unknown; type?: string };
      if (it.type === undefined && it.key !== undefined)
        collectIvs(it.value, other?.value, stash, [...path, it.key]);
      else collectIvs(it, other, stash, path);
    });
    return;
  }
  if ((e.type === 'str' || e.type === 'comment') && typeof e.value === 'string') {
    const match = /,iv:([^,]+),/.exec(e.value);
    if (match?.[1])
      stash.set(stashKey(d as Scalar, `${path.join(':')}:`), Buffer.from(match[1], 'base64'));
  }
}
