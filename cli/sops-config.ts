import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { EncryptionRules, Recipient, StoreOptions } from '../sops/index.ts';
import { azureKeyUrl, kmsRecipients, splitKeyList, vaultRecipients } from './sops-recipients.ts';

/** What a `.sops.yaml` creation rule asks for. */
export interface CreationRule {
  keyGroups: Recipient[][];
  shamirThreshold: number;
  rules: EncryptionRules;
}

export interface SopsConfig {
  path: string;
  storeOptions: StoreOptions;
  creationRules: unknown[] | undefined;
}

/** Finds `.sops.yaml` from `start` upwards (sops looks from the working directory, 100 levels). */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  for (let i = 0; i < 100; i++) {
    const candidate = join(dir, '.sops.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

export function loadConfig(path: string): SopsConfig {
  const raw = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const stores = (raw.stores ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const storeOptions: StoreOptions = {};
  if (typeof stores.yaml?.indent === 'number') storeOptions.yamlIndent = stores.yaml.indent;
  if (typeof stores.json?.indent === 'number') storeOptions.jsonIndent = stores.json.indent;
  return {
    path,
    storeOptions,
    creationRules: Array.isArray(raw.creation_rules) ? raw.creation_rules : undefined,
  };
}

function keyList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return splitKeyList(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.map((s) => s.trim()).filter(Boolean);
  throw new Error(`invalid ${field} key configuration: expected a string or a list of strings`);
}

function objectList(value: unknown, field: string): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some((item) => item === null || typeof item !== 'object' || Array.isArray(item))
  )
    throw new Error(
      `invalid ${field} key configuration in key_groups: expected a list of mappings`,
    );
  return value as Record<string, unknown>[];
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

function kmsContextOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new Error('invalid kms context in key_groups: expected a mapping');
  const entries = Object.entries(value as Record<string, unknown>);
  // sops ignores a context with a non-string value (with a warning); refuse it instead.
  if (entries.some(([, v]) => typeof v !== 'string'))
    throw new Error('invalid kms context in key_groups: every value must be a string');
  return entries.length > 0 ? Object.fromEntries(entries as [string, string][]) : undefined;
}

function unique(group: Recipient[]): Recipient[] {
  return group.filter((r, i) => group.findIndex((x) => x.type === r.type && x.id === r.id) === i);
}

/** One entry of `key_groups`: key lists and lists of key objects, as sops reads them. */
function groupFrom(spec: Record<string, unknown>): Recipient[] {
  const group: Recipient[] = [
    ...keyList(spec.pgp, 'pgp').map((id) => ({ type: 'pgp' as const, id })),
    ...keyList(spec.age, 'age').map((id) => ({ type: 'age' as const, id })),
    ...objectList(spec.kms, 'kms').flatMap((k) => {
      if (!text(k.arn)) throw new Error('invalid kms key configuration in key_groups: no arn');
      const arn = text(k.role) ? `${text(k.arn)}+${text(k.role)}` : text(k.arn);
      return kmsRecipients([arn], kmsContextOf(k.context), text(k.aws_profile) || undefined);
    }),
    ...objectList(spec.gcp_kms, 'gcp_kms').map((k) => ({
      type: 'gcp_kms' as const,
      id: text(k.resource_id),
    })),
    ...objectList(spec.azure_keyvault, 'azure_keyvault').map((k) => ({
      type: 'azure_kv' as const,
      id: azureKeyUrl(text(k.vaultUrl), text(k.key), text(k.version) || undefined),
    })),
    ...vaultRecipients(keyList(spec.hc_vault, 'hc_vault')),
  ];
  for (const merged of Array.isArray(spec.merge) ? spec.merge : [])
    group.push(...groupFrom(merged as Record<string, unknown>));
  return unique(group);
}

/** The single group of a rule without `key_groups` (the KMS context comes from the CLI). */
function ruleGroup(rule: Record<string, unknown>, kmsContext?: Record<string, string>) {
  return unique([
    ...keyList(rule.age, 'age').map((id) => ({ type: 'age' as const, id })),
    ...keyList(rule.pgp, 'pgp').map((id) => ({ type: 'pgp' as const, id })),
    ...kmsRecipients(keyList(rule.kms, 'kms'), kmsContext, text(rule.aws_profile) || undefined),
    ...keyList(rule.gcp_kms, 'gcp_kms').map((id) => ({ type: 'gcp_kms' as const, id })),
    ...keyList(rule.azure_keyvault, 'azure_keyvault').map((id) => ({
      type: 'azure_kv' as const,
      id,
    })),
    ...vaultRecipients(keyList(rule.hc_vault_transit_uri, 'hc_vault_transit_uri')),
  ]);
}

const RULE_FIELDS = [
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'encrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
] as const;

/** The first creation rule whose `path_regex` matches the file (relative to the config's dir). */
export function matchCreationRule(
  config: SopsConfig,
  filePath: string,
  kmsContext?: Record<string, string>,
): CreationRule | undefined {
  if (!config.creationRules) return undefined;
  const absolute = isAbsolute(filePath) ? filePath : resolve(filePath);
  const base = `${dirname(config.path)}/`;
  const relative = absolute.startsWith(base) ? absolute.slice(base.length) : absolute;
  for (const entry of config.creationRules) {
    const rule = (entry ?? {}) as Record<string, unknown>;
    const pattern = typeof rule.path_regex === 'string' ? rule.path_regex : '';
    if (pattern !== '' && !new RegExp(pattern).test(relative)) continue;
    let keyGroups: Recipient[][];
    try {
      keyGroups =
        Array.isArray(rule.key_groups) && rule.key_groups.length > 0
          ? rule.key_groups.map((g) => groupFrom((g ?? {}) as Record<string, unknown>))
          : [ruleGroup(rule, kmsContext)];
    } catch (error) {
      throw new Error(`${config.path}: ${error instanceof Error ? error.message : 'invalid keys'}`);
    }
    const rules: EncryptionRules = {};
    for (const field of RULE_FIELDS)
      if (typeof rule[field] === 'string' && rule[field] !== '') rules[field] = rule[field];
    if (rule.mac_only_encrypted === true) rules.mac_only_encrypted = true;
    return {
      keyGroups: keyGroups.filter((g) => g.length > 0),
      shamirThreshold: Number(rule.shamir_threshold ?? 0),
      rules,
    };
  }
  throw new Error('error loading config: no matching creation rules found');
}
