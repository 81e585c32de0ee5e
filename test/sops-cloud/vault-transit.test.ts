import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decryptFile, encryptFile, vaultTransitKeySource } from '../../sops/index.ts';
import {
  closedAddress,
  type SilentServer,
  startSilentServer,
  startVaultTransit,
  type VaultTransit,
} from '../emulators/index.ts';
import type { Scratch } from './cloud-fixtures.ts';
import { ageKey, createScratch, failedWrap, PLAIN, SECRET } from './cloud-fixtures.ts';

let vault: VaultTransit;
let scratch: Scratch;
/** Environment with the Vault token and no age key. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [vault, scratch] = await Promise.all([startVaultTransit(), createScratch('sops-vault')]);
  env = { ...scratch.env, ...vault.env };
  await scratch.write('secret.yaml', PLAIN);
});
afterAll(async () => {
  await Promise.all([vault?.stop(), scratch?.stop()]);
});

type VaultEntry = Record<string, string>;
const vaultEntries = (text: string) =>
  (parse(text) as { sops: { hc_vault?: VaultEntry[] } }).sops.hc_vault ?? [];

/** `kustodian sops encrypt --hc-vault-transit <key> secret.yaml` with the Vault token. */
const encryptWithVault = () =>
  scratch.kustodian(['encrypt', '--hc-vault-transit', vault.keyUri, 'secret.yaml'], env);

describe('Vault transit key source against a Vault dev server', () => {
  it('kustodian encrypts with --hc-vault-transit and the real sops decrypts', async () => {
    const ours = await encryptWithVault();
    expect(ours.stderr).toBe('');
    expect(ours.code).toBe(0);
    expect(ours.stdout).not.toContain(SECRET);
    const [entry] = vaultEntries(ours.stdout);
    expect(Object.keys(entry ?? {})).toEqual([
      'created_at',
      'enc',
      'engine_path',
      'key_name',
      'vault_address',
    ]);
    expect(entry).toMatchObject({
      vault_address: vault.address,
      engine_path: vault.mount,
      key_name: vault.keyName,
    });
    expect(entry?.enc).toMatch(/^vault:v1:/);
    await scratch.write('ours.enc.yaml', ours.stdout);
    const theirs = await scratch.sops(['--decrypt', 'ours.enc.yaml'], env);
    expect(theirs.stderr).toBe('');
    expect(theirs.stdout).toBe(PLAIN);
  });

  it('the real sops encrypts and kustodian decrypts, with the token from ~/.vault-token', async () => {
    const theirs = await scratch.sops(
      ['--encrypt', '--hc-vault-transit', vault.keyUri, 'secret.yaml'],
      env,
    );
    expect(theirs.code).toBe(0);
    await scratch.write('theirs.enc.yaml', theirs.stdout);
    const viaEnv = await scratch.kustodian(['decrypt', 'theirs.enc.yaml'], env);
    expect(viaEnv.stderr).toBe('');
    expect(viaEnv.stdout).toBe(PLAIN);

    await writeFile(join(scratch.dir, '.vault-token'), `${vault.token}\n`, { mode: 0o600 });
    const { VAULT_TOKEN: _token, ...withoutToken } = env;
    const viaFile = await scratch.kustodian(['decrypt', 'theirs.enc.yaml'], withoutToken);
    expect(viaFile.stderr).toBe('');
    expect(viaFile.stdout).toBe(PLAIN);
    await scratch.write('.vault-token', '');
  });

  it('a wrong token fails with the key named and neither token nor plaintext shown', async () => {
    const file = join(scratch.dir, 'wrong-token.enc.yaml');
    const encrypted = await encryptWithVault();
    await writeFile(file, encrypted.stdout);
    const wrong = await scratch.kustodian(['decrypt', file], {
      ...env,
      VAULT_TOKEN: 'kustodian-wrong-token',
    });
    expect(wrong.code).toBe(128);
    expect(wrong.stderr).toContain(vault.keyUri);
    expect(wrong.stderr).toContain('403');
    expect(wrong.stderr).toMatch(/permission denied/);
    for (const text of [SECRET, vault.token, 'kustodian-wrong-token'])
      expect(wrong.stdout + wrong.stderr).not.toContain(text);
  });

  it('an unknown key or mount fails, naming the key, never the token', async () => {
    const encrypted = await encryptWithVault();
    const unknownUri = `${vault.address}/v1/${vault.mount}/keys/no-such-key`;
    await scratch.write(
      'unknown-key.enc.yaml',
      encrypted.stdout.replace(`key_name: ${vault.keyName}`, 'key_name: no-such-key'),
    );
    const unknownKey = await scratch.kustodian(['decrypt', 'unknown-key.enc.yaml'], env);
    expect(unknownKey.code).toBe(128);
    expect(unknownKey.stderr).toContain(
      `Vault transit decrypt with ${unknownUri}: Vault answered 400`,
    );

    // Transit creates a missing key on encrypt when the token may; a missing mount it cannot.
    const badMount = `${vault.address}/v1/no-such-mount/keys/sops`;
    const result = await scratch.kustodian(
      ['encrypt', '--hc-vault-transit', badMount, 'secret.yaml'],
      env,
    );
    expect(result.code).toBe(23);
    expect(result.stderr).toContain(`Vault transit encrypt with ${badMount}`);
    for (const out of [unknownKey, result])
      expect(out.stdout + out.stderr).not.toContain(vault.token);
  });

  it('a file with an age key and a Vault key decrypts with either one alone', async () => {
    const age = await ageKey();
    const both = await scratch.kustodian(
      ['encrypt', '--age', age.recipient, '--hc-vault-transit', vault.keyUri, 'secret.yaml'],
      env,
    );
    expect(both.code).toBe(0);
    await scratch.write('both.enc.yaml', both.stdout);
    const down = await closedAddress();
    const file = await scratch.read('both.enc.yaml');
    // The same file with the Vault address pointing at a closed port: only age can open it.
    await scratch.write('both-down.enc.yaml', file.replaceAll(vault.address, down));
    const withAge = { ...scratch.env, SOPS_AGE_KEY: age.identity, VAULT_TOKEN: 'unused' };

    const ourVault = await scratch.kustodian(['decrypt', 'both.enc.yaml'], env);
    expect(ourVault.stdout).toBe(PLAIN);
    const theirVault = await scratch.sops(['--decrypt', 'both.enc.yaml'], env);
    expect(theirVault.stdout).toBe(PLAIN);
    const theirAge = await scratch.sops(['--decrypt', 'both.enc.yaml'], withAge);
    expect(theirAge.stdout).toBe(PLAIN);
    // MAC is over values only, so the edited address keeps the file valid.
    const viaAge = await scratch.kustodian(['decrypt', 'both-down.enc.yaml'], withAge);
    expect(viaAge.stderr).toBe('');
    expect(viaAge.stdout).toBe(PLAIN);
    const neither = await scratch.kustodian(['decrypt', 'both-down.enc.yaml'], env);
    expect(neither.code).toBe(128);
    expect(neither.stderr).toContain(`${down}/v1/${vault.mount}/keys/${vault.keyName}`);
    expect(neither.stderr).toMatch(/could not connect/);
    expect(neither.stdout + neither.stderr).not.toContain(SECRET);
  });

  it('rotate --add-hc-vault-transit / --rm-hc-vault-transit, checked with the real sops', async () => {
    const age = await ageKey();
    const ageEnv = { ...env, SOPS_AGE_KEY: age.identity };
    const start = await scratch.kustodian(['encrypt', '--age', age.recipient, 'secret.yaml'], env);
    await scratch.write('rotate.enc.yaml', start.stdout);

    /** `rotate --in-place <flag> <key>` with the age key: its stderr and the Vault entries after it. */
    const rotate = async (flag: string) => {
      const result = await scratch.kustodian(
        ['rotate', '--in-place', flag, vault.keyUri, 'rotate.enc.yaml'],
        ageEnv,
      );
      return {
        stderr: result.stderr,
        entries: vaultEntries(await scratch.read('rotate.enc.yaml')),
      };
    };

    const added = await rotate('--add-hc-vault-transit');
    expect(added.stderr).toBe('');
    expect(added.entries).toHaveLength(1);
    // Vault alone (no age key in env) opens it, with sops too.
    expect((await scratch.sops(['--decrypt', 'rotate.enc.yaml'], env)).stdout).toBe(PLAIN);

    const removed = await rotate('--rm-hc-vault-transit');
    expect(removed.stderr).toBe('');
    expect(removed.entries).toHaveLength(0);
    const vaultOnly = await scratch.sops(['--decrypt', 'rotate.enc.yaml'], env);
    expect(vaultOnly.code).not.toBe(0);
    expect((await scratch.sops(['--decrypt', 'rotate.enc.yaml'], ageEnv)).stdout).toBe(PLAIN);
  });

  it('updatekeys adds the Vault key a .sops.yaml key group names', async () => {
    const { dir, age } = await scratch.ageEncryptedApp(env);
    await writeFile(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: app\\.yaml$\n    key_groups:\n      - age: [${age.recipient}]\n        hc_vault:\n          - ${vault.keyUri}\n`,
    );
    const ageEnv = { ...env, SOPS_AGE_KEY: age.identity };
    const updated = await scratch.kustodian(['updatekeys', '--yes', 'app.yaml'], ageEnv, dir);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain('key groups updated');
    const text = await readFile(join(dir, 'app.yaml'), 'utf8');
    expect(vaultEntries(text)).toHaveLength(1);
    expect((await scratch.sops(['--decrypt', 'app.yaml'], env, dir)).stdout).toBe(PLAIN);
    const again = await scratch.kustodian(['updatekeys', '--yes', 'app.yaml'], ageEnv, dir);
    expect(again.stderr).toContain('already up to date');
  });
});

describe('Vault transit timeouts and retries', () => {
  let silent: SilentServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.stop();
  });

  it('a closed port fails fast after the bounded retries, naming the key', async () => {
    const uri = `${await closedAddress()}/v1/transit/keys/sops`;
    const source = vaultTransitKeySource({ token: vault.token, env: {}, maxAttempts: 3 });
    const failure = await failedWrap(source, uri);
    expect(failure.message).toContain(`Vault transit encrypt with ${uri}: could not connect`);
    expect(failure.message).toContain('(3 attempts)');
    expect(failure.message).not.toContain(vault.token);
    expect(failure.elapsedMs).toBeLessThan(10_000);
  });

  it('a server that never answers fails at the deadline, not later', async () => {
    const uri = `${silent.address}/v1/transit/keys/sops`;
    const source = vaultTransitKeySource({ token: vault.token, env: {}, timeoutMs: 1500 });
    const failure = await failedWrap(source, uri);
    expect(failure.message).toContain(`Vault transit encrypt with ${uri}: no answer within 1.5s`);
    expect(failure.elapsedMs).toBeLessThan(5000);
  });

  it('library round trip: encryptFile/decryptFile with the Vault source only', async () => {
    const source = vaultTransitKeySource({ token: vault.token, env: {} });
    const encrypted = await encryptFile(Buffer.from(PLAIN), {
      path: 'lib.yaml',
      keyGroups: [[{ type: 'hc_vault', id: vault.keyUri }]],
      keySources: [source],
    });
    const decrypted = await decryptFile(encrypted, { path: 'lib.yaml', keySources: [source] });
    expect(Buffer.from(decrypted.plaintext).toString()).toBe(PLAIN);
  });
});
