import { SopsError } from './errors.ts';
import type { EncryptionRules } from './rules.ts';
import { checkSingleRule, RULE_NAMES } from './rules.ts';
import type { MapItem, TreeMap, TreeValue } from './tree.ts';
import { isComment, str } from './tree.ts';

/** Master-key types sops knows, with the identifiers `--decryption-order` uses. */
export type KeyType = 'age' | 'pgp' | 'kms' | 'gcp_kms' | 'hckms' | 'azure_kv' | 'hc_vault';

/** One wrapped copy of the data key (or of a Shamir share) for one master key. */
export interface KeyEntry {
  type: KeyType;
  /** The wrapped key as stored in `enc`. */
  enc: string;
  /** Every other field of the entry as stored (recipient, fp, arn, created_at, …). */
  fields: Record<string, string | Record<string, string>>;
}

/** The `sops` metadata block. */
export interface Metadata extends EncryptionRules {
  keyGroups: KeyEntry[][];
  shamirThreshold: number;
  lastmodified: string;
  mac: string;
  version: string;
}

// Inside a group, sops builds its key list in this order (it matters for decryption order).
const GROUP_ORDER: readonly KeyType[] = [
  'kms',
  'gcp_kms',
  'hckms',
  'azure_kv',
  'hc_vault',
  'pgp',
  'age',
];

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** Converts a tree to plain values, dropping comments; used only for the metadata block. */
export function toPlain(value: TreeValue): Plain {
  switch (value.type) {
    case 'map': {
      const out: Record<string, Plain> = {};
      for (const item of value.items) if (!isComment(item)) out[item.key] = toPlain(item.value);
      return out;
    }
    case 'seq':
      return value.items
        .filter((item) => !isComment(item))
        .map((item) => toPlain(item as TreeValue));
    case 'int':
      return Number(value.value);
    case 'null':
      return null;
    default:
      return value.value;
  }
}

function asString(value: Plain | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object')
    throw new SopsError(
      'InvalidMetadata',
      'sops metadata has a mapping or list where text was expected',
    );
  return String(value);
}

function asList(value: Plain | undefined, field: string): Record<string, Plain>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new SopsError('InvalidMetadata', `sops metadata field "${field}" is not a list`);
  return value.map((entry) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new SopsError(
        'InvalidMetadata',
        `sops metadata field "${field}" has an entry that is not a mapping`,
      );
    }
    return entry;
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseEntry(type: KeyType, raw: Record<string, Plain>): KeyEntry {
  const fields: KeyEntry['fields'] = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'enc') continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      fields[name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asString(v)]));
    } else {
      fields[name] = asString(value);
    }
  }
  const created = fields.created_at;
  if (type !== 'age' && (typeof created !== 'string' || !RFC3339.test(created))) {
    throw new SopsError(
      'InvalidMetadata',
      `sops metadata: a ${type} key has no valid created_at timestamp`,
    );
  }
  return { type, enc: asString(raw.enc), fields };
}

function parseGroup(raw: Record<string, Plain>): KeyEntry[] {
  return GROUP_ORDER.flatMap((type) =>
    asList(raw[type], type).map((entry) => parseEntry(type, entry)),
  );
}

/** Reads the `sops` block (already unflattened for dotenv/INI). */
export function parseMetadata(block: TreeValue): Metadata {
  if (block.type !== 'map')
    throw new SopsError('InvalidMetadata', 'Found sops entry that is not a mapping');
  const raw = toPlain(block) as Record<string, Plain>;
  const topGroup = parseGroup(raw);
  const keyGroups =
    topGroup.length > 0 ? [topGroup] : asList(raw.key_groups, 'key_groups').map(parseGroup);
  if (keyGroups.every((group) => group.length === 0))
    throw new SopsError('InvalidMetadata', 'No keys found in file');
  const lastmodified = asString(raw.lastmodified);
  if (!RFC3339.test(lastmodified))
    throw new SopsError(
      'InvalidMetadata',
      'sops metadata "lastmodified" is not an RFC 3339 timestamp',
    );
  const rules: EncryptionRules = {};
  for (const name of RULE_NAMES) {
    const value = asString(raw[name]);
    if (value !== '') rules[name] = value;
  }
  checkSingleRule(rules);
  const macOnly = raw.mac_only_encrypted;
  if (macOnly === true || macOnly === 'true') rules.mac_only_encrypted = true;
  const threshold = Number(asString(raw.shamir_threshold) || '0');
  if (!Number.isInteger(threshold) || threshold < 0)
    throw new SopsError('InvalidMetadata', 'sops metadata "shamir_threshold" is not a number');
  return {
    ...rules,
    keyGroups,
    shamirThreshold: threshold,
    lastmodified,
    mac: asString(raw.mac),
    version: asString(raw.version),
  };
}

function plainToTree(value: Plain | undefined): TreeValue {
  if (value === undefined || value === null) return { type: 'null' };
  if (Array.isArray(value)) return { type: 'seq', items: value.map(plainToTree) };
  if (typeof value === 'object') return sortedMap(value);
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') return { type: 'int', value: BigInt(value) };
  return str(value);
}

// sops 3.13 writes the metadata with keys sorted at every level.
function sortedMap(value: Record<string, Plain>): TreeMap {
  const items: MapItem[] = Object.keys(value)
    .sort()
    .filter((key) => value[key] !== undefined)
    .map((key) => ({ key, value: plainToTree(value[key]) }));
  return { type: 'map', items };
}

function entryToPlain(entry: KeyEntry): Record<string, Plain> {
  return { ...entry.fields, enc: entry.enc };
}

function groupToPlain(group: KeyEntry[], writeEmpty: boolean): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const type of GROUP_ORDER) {
    const entries = group.filter((entry) => entry.type === type).map(entryToPlain);
    if (entries.length > 0 || (writeEmpty && (type === 'age' || type === 'hc_vault')))
      out[type] = entries;
  }
  return out;
}

/** Builds the `sops` block as sops 3.13 writes it (sorted keys, empty fields omitted). */
export function serializeMetadata(metadata: Metadata): TreeMap {
  const out: Record<string, Plain> = {};
  if (metadata.keyGroups.length === 1)
    Object.assign(out, groupToPlain(metadata.keyGroups[0] ?? [], false));
  else out.key_groups = metadata.keyGroups.map((group) => groupToPlain(group, true));
  if (metadata.shamirThreshold > 0) out.shamir_threshold = metadata.shamirThreshold;
  out.lastmodified = metadata.lastmodified;
  out.mac = metadata.mac;
  for (const name of RULE_NAMES) {
    const value = metadata[name];
    if (value) out[name] = value;
  }
  if (metadata.mac_only_encrypted) out.mac_only_encrypted = true;
  out.version = metadata.version;
  return sortedMap(out);
}
