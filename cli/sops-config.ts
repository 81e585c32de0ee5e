import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { EncryptionRules, Recipient, StoreOptions } from '../sops/index.ts';

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

function keyList(value: unknown): string[] {
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value))
    return value
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  return [];
}

function groupFrom(spec: Record<string, unknown>): Recipient[] {
  const group: Recipient[] = [
    ...keyList(spec.pgp).map((id) => ({ type: 'pgp' as const, id })),
    ...keyList(spec.age).map((id) => ({ type: 'age' as const, id })),
  ];
  for (const merged of Array.isArray(spec.merge) ? spec.merge : [])
    group.push(...groupFrom(merged as Record<string, unknown>));
  return group.filter((r, i) => group.findIndex((x) => x.type === r.type && x.id === r.id) === i);
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
export function matchCreationRule(config: SopsConfig, filePath: string): CreationRule | undefined {
  if (!config.creationRules) return undefined;
  const absolute = isAbsolute(filePath) ? filePath : resolve(filePath);
  const base = `${dirname(config.path)}/`;
  const relative = absolute.startsWith(base) ? absolute.slice(base.length) : absolute;
  for (const entry of config.creationRules) {
    const rule = (entry ?? {}) as Record<string, unknown>;
    const pattern = typeof rule.path_regex === 'string' ? rule.path_regex : '';
    if (pattern !== '' && !new RegExp(pattern).test(relative)) continue;
    const keyGroups = Array.isArray(rule.key_groups)
      ? rule.key_groups.map((g) => groupFrom(g as Record<string, unknown>))
      : [groupFrom(rule)];
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
