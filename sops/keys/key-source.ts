import type { KeyEntry, KeyType } from '../metadata.ts';

/**
 * Something that can unwrap (and maybe wrap) the data key for one kind of master key.
 * Implementations never put key material in errors or descriptions.
 */
export interface KeySource {
  readonly type: KeyType;
  /** Recovers the wrapped bytes; throws an Error whose message says why not. */
  unwrap(entry: KeyEntry): Promise<Uint8Array>;
  /** Wraps bytes for a recipient (as written in `.sops.yaml`), returning the metadata entry. */
  wrap?(recipient: string, part: Uint8Array): Promise<KeyEntry>;
}

/** Who an entry is for, in words safe for logs: the recipient, fingerprint, ARN, …. */
export function describeEntry(entry: KeyEntry): string {
  const f = entry.fields;
  const first = [f.recipient, f.fp, f.arn, f.resource_id, f.vault_url, f.key_id].find(
    (v) => typeof v === 'string' && v !== '',
  );
  if (entry.type === 'azure_kv')
    return `azure_kv ${String(f.vault_url ?? '')}/keys/${String(f.name ?? '')}/${String(f.version ?? '')}`;
  if (entry.type === 'hc_vault')
    return `hc_vault ${String(f.vault_address ?? '')}/v1/${String(f.engine_path ?? '')}/keys/${String(f.key_name ?? '')}`;
  return `${entry.type} ${typeof first === 'string' ? first : '(unnamed)'}`;
}

/** The identity string by which sops compares keys (rotate --rm, updatekeys). */
export function entryIdentity(entry: KeyEntry): string {
  return describeEntry(entry);
}

/** UTC now as sops writes `created_at` / `lastmodified` (second precision). */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
