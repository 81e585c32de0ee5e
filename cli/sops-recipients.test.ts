import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryRecipient, type KeyEntry } from '../sops/index.ts';
import { loadConfig, matchCreationRule } from './sops-config.ts';
import { awsEndpoint, onDemandKeySource } from './sops-keys.ts';
import { parseKmsContext, recipientsFromFlags } from './sops-recipients.ts';

const ARN = 'arn:aws:kms:eu-west-2:111122223333:key/k1';
const ARN2 = 'arn:aws:kms:us-east-1:111122223333:alias/two';
const ROLE = 'arn:aws:iam::111122223333:role/sops';
const VAULT = 'https://vault.example.com:8200/v1/transit/keys/sops';
const GCP = 'projects/p/locations/global/keyRings/r/cryptoKeys/k';
const AZURE = 'https://kv.vault.azure.net/keys/sops/0123abcd';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-sops-cloud-config-'));
  await writeFile(
    join(dir, '.sops.yaml'),
    [
      'creation_rules:',
      '  - path_regex: groups/.*',
      '    shamir_threshold: 2',
      '    key_groups:',
      '      - kms:',
      `          - arn: ${ARN}`,
      `            role: ${ROLE}`,
      '            context: {app: web, "k:1": "a,b"}',
      '            aws_profile: dev',
      '        hc_vault:',
      `          - ${VAULT}`,
      '      - gcp_kms:',
      `          - resource_id: ${GCP}`,
      '        azure_keyvault:',
      '          - vaultUrl: https://kv.vault.azure.net/',
      '            key: sops',
      '            version: 0123abcd',
      '        age: [age1one]',
      '  - path_regex: flat/.*',
      `    kms: "${ARN}+${ROLE}, ${ARN2}"`,
      '    aws_profile: prod',
      `    hc_vault_transit_uri: [${VAULT}]`,
      `    gcp_kms: ${GCP}`,
      `    azure_keyvault: ${AZURE}`,
      '  - path_regex: bad-vault/.*',
      '    hc_vault_transit_uri: vault.example.com/transit/sops',
      '  - path_regex: bad-context/.*',
      '    key_groups:',
      '      - kms:',
      `          - arn: ${ARN}`,
      '            context: {n: 1}',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('.sops.yaml cloud keys', () => {
  it('key_groups: kms objects (role, context, aws_profile), hc_vault, gcp_kms, azure_keyvault', () => {
    const rule = matchCreationRule(loadConfig(join(dir, '.sops.yaml')), join(dir, 'groups/a.yaml'));
    expect(rule?.shamirThreshold).toBe(2);
    expect(rule?.keyGroups).toEqual([
      [
        { type: 'kms', id: `${ARN}+${ROLE}|app:web,k%3a1:a%2cb|dev` },
        { type: 'hc_vault', id: VAULT },
      ],
      [
        { type: 'age', id: 'age1one' },
        { type: 'gcp_kms', id: GCP },
        { type: 'azure_kv', id: AZURE },
      ],
    ]);
  });

  it('a flat rule: kms list with role, the rule aws_profile and the CLI context', () => {
    const rule = matchCreationRule(loadConfig(join(dir, '.sops.yaml')), join(dir, 'flat/a.yaml'), {
      env: 'prod',
    });
    expect(rule?.keyGroups).toEqual([
      [
        { type: 'kms', id: `${ARN}+${ROLE}|env:prod|prod` },
        { type: 'kms', id: `${ARN2}|env:prod|prod` },
        { type: 'gcp_kms', id: GCP },
        { type: 'azure_kv', id: AZURE },
        { type: 'hc_vault', id: VAULT },
      ],
    ]);
  });

  it.each([
    {
      name: 'a Vault URI without scheme',
      file: 'bad-vault/a.yaml',
      want: /not a Vault transit key URI/,
    },
    { name: 'a non-string context value', file: 'bad-context/a.yaml', want: /must be a string/ },
  ])('refuses $name, naming the config file', ({ file, want }) => {
    const config = loadConfig(join(dir, '.sops.yaml'));
    expect(() => matchCreationRule(config, join(dir, file))).toThrow(want);
    expect(() => matchCreationRule(config, join(dir, file))).toThrow(config.path);
  });
});

describe('key flags', () => {
  it('--kms arn+role,arn with --encryption-context and --aws-profile, and the other types', () => {
    const got = recipientsFromFlags(
      {
        kms: `${ARN}+${ROLE},${ARN2}`,
        hcVaultTransit: VAULT,
        gcpKms: GCP,
        azureKv: AZURE,
        age: 'age1one',
      },
      parseKmsContext('a:1,b:2'),
      'dev',
    );
    expect(got).toEqual([
      { type: 'kms', id: `${ARN}+${ROLE}|a:1,b:2|dev` },
      { type: 'kms', id: `${ARN2}|a:1,b:2|dev` },
      { type: 'gcp_kms', id: GCP },
      { type: 'azure_kv', id: AZURE },
      { type: 'hc_vault', id: VAULT },
      { type: 'age', id: 'age1one' },
    ]);
  });

  it.each([{ input: 'a' }, { input: 'a:1,b' }, { input: 'a:1:2' }])(
    'context "$input" is refused as sops refuses it',
    ({ input }) => {
      expect(() => parseKmsContext(input)).toThrow(/key:value/);
    },
  );
});

describe('entryRecipient (what rotate --rm-* and updatekeys compare)', () => {
  const created_at = '2026-01-01T00:00:00Z';
  it.each([
    {
      name: 'kms with role, context and profile',
      entry: {
        type: 'kms',
        enc: 'x',
        fields: { arn: ARN, aws_profile: 'dev', context: { app: 'web' }, created_at, role: ROLE },
      } satisfies KeyEntry,
      want: `${ARN}+${ROLE}|app:web|dev`,
    },
    {
      name: 'kms as sops writes it without extras',
      entry: {
        type: 'kms',
        enc: 'x',
        fields: { arn: ARN, aws_profile: '', created_at },
      } satisfies KeyEntry,
      want: ARN,
    },
    {
      name: 'hc_vault',
      entry: {
        type: 'hc_vault',
        enc: 'vault:v1:x',
        fields: {
          created_at,
          engine_path: 'transit',
          key_name: 'sops',
          vault_address: 'https://vault.example.com:8200',
        },
      } satisfies KeyEntry,
      want: VAULT,
    },
    {
      name: 'azure_kv',
      entry: {
        type: 'azure_kv',
        enc: 'x',
        fields: {
          created_at,
          name: 'sops',
          vault_url: 'https://kv.vault.azure.net',
          version: '0123abcd',
        },
      } satisfies KeyEntry,
      want: AZURE,
    },
  ])('$name', ({ entry, want }) => {
    expect(entryRecipient(entry).id).toBe(want);
  });
});

describe('AWS endpoint variables (as the Go SDK behind sops reads them)', () => {
  it.each([
    {
      name: 'service variable first',
      env: { AWS_ENDPOINT_URL_KMS: 'a', AWS_ENDPOINT_URL: 'b' },
      want: 'a',
    },
    { name: 'then the global one', env: { AWS_ENDPOINT_URL: 'b' }, want: 'b' },
    {
      name: 'none when told to ignore them',
      env: { AWS_ENDPOINT_URL_KMS: 'a', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      want: undefined,
    },
  ])('$name', ({ env, want }) => {
    expect(awsEndpoint(env, 'KMS')).toBe(want);
  });
});

describe('onDemandKeySource', () => {
  it('builds the source on first use only, never for files without such keys', async () => {
    let built = 0;
    const source = onDemandKeySource('gcp_kms', () => {
      built++;
      return {
        type: 'gcp_kms',
        unwrap: async () => new Uint8Array([1]),
        wrap: async () => ({ type: 'gcp_kms', enc: 'x', fields: {} }),
      };
    });
    expect(built).toBe(0);
    const entry: KeyEntry = { type: 'gcp_kms', enc: 'x', fields: {} };
    await source.unwrap(entry);
    await source.wrap?.('id', new Uint8Array([1]));
    expect(built).toBe(1);
  });
});
