import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  closedAddress,
  type LocalKms,
  startLocalKms,
  startVaultTransit,
  type VaultTransit,
} from '../emulators/index.ts';
import { ageKey, createScratch, PLAIN, type Scratch, SECRET } from './cloud-fixtures.ts';

let kms: LocalKms;
let vault: VaultTransit;
let scratch: Scratch;

beforeAll(async () => {
  [kms, vault, scratch] = await Promise.all([
    startLocalKms(),
    startVaultTransit(),
    createScratch('sops-cloud-groups'),
  ]);
});
afterAll(async () => {
  await Promise.all([kms?.stop(), vault?.stop(), scratch?.stop()]);
});

describe('.sops.yaml key groups of cloud keys (Shamir 2 of 3) against Vault and local-kms', () => {
  it('kustodian encrypts per the rule, sops and kustodian decrypt with any two groups', async () => {
    const age = await ageKey();
    await scratch.write('app.yaml', PLAIN);
    await scratch.write(
      '.sops.yaml',
      [
        'creation_rules:',
        '  - path_regex: app\\.yaml$',
        '    shamir_threshold: 2',
        '    key_groups:',
        '      - kms:',
        `          - arn: ${kms.keyArn}`,
        '            context: {app: web}',
        '      - hc_vault:',
        `          - ${vault.keyUri}`,
        `      - age: [${age.recipient}]`,
      ].join('\n'),
    );
    const all = { ...scratch.env, ...kms.env, ...vault.env, SOPS_AGE_KEY: age.identity };
    const encrypted = await scratch.kustodian(['encrypt', 'app.yaml'], all);
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    await scratch.write('app.enc.yaml', encrypted.stdout);
    const doc = parse(await scratch.read('app.enc.yaml')) as {
      sops: { shamir_threshold: number; key_groups: Record<string, unknown[]>[] };
    };
    expect(doc.sops.shamir_threshold).toBe(2);
    expect(doc.sops.key_groups.map((g) => Object.keys(g).filter((k) => g[k]?.length))).toEqual([
      ['kms'],
      ['hc_vault'],
      ['age'],
    ]);

    const withoutKms = { ...all, AWS_ENDPOINT_URL_KMS: await closedAddress() };
    const withoutVault = { ...all, VAULT_TOKEN: 'kustodian-wrong-token' };
    const withoutAge = { ...all, SOPS_AGE_KEY: '' };
    for (const env of [all, withoutKms, withoutVault, withoutAge]) {
      const ours = await scratch.kustodian(['decrypt', 'app.enc.yaml'], env);
      expect(ours.stdout).toBe(PLAIN);
      const theirs = await scratch.sops(['--decrypt', 'app.enc.yaml'], env);
      expect(theirs.stdout).toBe(PLAIN);
    }

    const onlyAge = { ...withoutKms, VAULT_TOKEN: 'kustodian-wrong-token' };
    const one = await scratch.kustodian(['decrypt', 'app.enc.yaml'], onlyAge);
    expect(one.code).toBe(128);
    expect(one.stderr).toContain('1 of 3 key groups decrypted, 2 required');
    expect(one.stderr).toContain(kms.keyArn);
    expect(one.stderr).toContain(vault.keyUri);
    for (const text of [SECRET, vault.token, 'kustodian-wrong-token', age.identity])
      expect(one.stdout + one.stderr).not.toContain(text);
  });
});
