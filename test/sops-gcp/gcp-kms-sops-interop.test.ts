import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ageKeySource,
  decryptFile,
  encryptFile,
  gcpKmsKeySource,
  type KeySource,
  parseGcpKmsSecretEntry,
} from '../../sops/index.ts';
import { type GcpKmsWireServer, startGcpKmsWireServer } from '../emulators/index.ts';
import { run } from '../sops/sops-fixtures.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');
const PLAIN =
  'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n';
const DEAD_ENDPOINT = 'http://127.0.0.1:1';

let server: GcpKmsWireServer;
let dir: string;
let saFile: string;
let age: { identity: string; recipient: string };

beforeAll(async () => {
  server = await startGcpKmsWireServer();
  dir = await mkdtemp(join(tmpdir(), 'kustodian-gcp-kms-interop-'));
  saFile = join(dir, 'service-account.json');
  await writeFile(saFile, server.serviceAccount.json, { mode: 0o600 });
  await writeFile(join(dir, 'secret.yaml'), PLAIN);
  const identity = await generateIdentity();
  age = { identity, recipient: await identityToRecipient(identity) };
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An environment with only what is named: no developer credentials or ADC leak in. */
function env(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'no-adc.json'),
    ...server.env,
    ...vars,
  };
}
const withServiceAccount = () => env({ GOOGLE_CREDENTIALS: saFile });
const withToken = () => env({ GOOGLE_OAUTH_ACCESS_TOKEN: server.accessToken });
const sops = (args: string[], vars: NodeJS.ProcessEnv) =>
  run('sops', ['--disable-version-check', ...args], { env: vars, cwd: dir });
const kustodian = (args: string[], vars: NodeJS.ProcessEnv) =>
  run(process.execPath, [MAIN, 'sops', ...args], { env: vars, cwd: dir, timeoutMs: 60_000 });

const gcp = (endpoint = server.endpoint): KeySource =>
  gcpKmsKeySource({
    endpoint,
    credentials: parseGcpKmsSecretEntry(Buffer.from(server.serviceAccount.json)),
    maxAttempts: 1,
  });
const decryptWith = async (file: string, keySources: KeySource[]) =>
  Buffer.from(
    (await decryptFile(Buffer.from(file), { path: 'secret.enc.yaml', keySources })).plaintext,
  ).toString('utf8');

async function sopsEncrypt(args: string[], vars: NodeJS.ProcessEnv): Promise<string> {
  const result = await sops(['--encrypt', ...args, 'secret.yaml'], vars);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

async function decryptsWithSops(file: string, vars: NodeJS.ProcessEnv): Promise<string> {
  const path = join(dir, 'from-kustodian.enc.yaml');
  await writeFile(path, file);
  const result = await sops(['--decrypt', path], vars);
  return result.code === 0 ? result.stdout : `exit ${result.code}: ${result.stderr}`;
}

describe('GCP KMS interop with the real sops against a local GCP KMS wire-format server', () => {
  it('a file sops encrypts with --gcp-kms decrypts in kustodian; the entry is as sops writes it', async () => {
    const file = await sopsEncrypt(['--gcp-kms', server.keyName], withServiceAccount());
    expect(file).not.toContain('hunter2');
    const entry = (parse(file) as { sops: { gcp_kms: Record<string, string>[] } }).sops.gcp_kms[0];
    expect(Object.keys(entry ?? {})).toEqual(['created_at', 'enc', 'resource_id']);
    expect(entry?.resource_id).toBe(server.keyName);
    expect(await decryptWith(file, [gcp()])).toBe(PLAIN);
  });

  it('a file kustodian encrypts for a GCP key decrypts with sops (access token)', async () => {
    const bytes = await encryptFile(Buffer.from(PLAIN), {
      path: 'secret.yaml',
      keyGroups: [[{ type: 'gcp_kms', id: server.keyName }]],
      keySources: [gcp()],
    });
    const file = Buffer.from(bytes).toString('utf8');
    expect(file).toMatch(
      /gcp_kms:\n {8}- created_at: "[^"]+"\n {10}enc: [A-Za-z0-9+/=]+\n {10}resource_id: projects\//,
    );
    expect(await decryptsWithSops(file, withToken())).toBe(PLAIN);
  });

  it('a file for an age key and a GCP key decrypts with either one alone, in both tools', async () => {
    const ours = Buffer.from(
      await encryptFile(Buffer.from(PLAIN), {
        path: 'secret.yaml',
        keyGroups: [
          [
            { type: 'gcp_kms', id: server.keyName },
            { type: 'age', id: age.recipient },
          ],
        ],
        keySources: [gcp(), ageKeySource()],
      }),
    ).toString('utf8');
    const theirs = await sopsEncrypt(
      ['--gcp-kms', server.keyName, '--age', age.recipient],
      withServiceAccount(),
    );
    const ageOnly = env({ SOPS_AGE_KEY: age.identity, SOPS_GCP_KMS_ENDPOINT: DEAD_ENDPOINT });
    const neither = env({ SOPS_GCP_KMS_ENDPOINT: DEAD_ENDPOINT });
    for (const file of [ours, theirs]) {
      expect(await decryptWith(file, [ageKeySource([age.identity])])).toBe(PLAIN);
      expect(await decryptWith(file, [gcp()])).toBe(PLAIN);
      // GCP down: the age key still opens it (sops tries age first).
      expect(await decryptWith(file, [gcp(DEAD_ENDPOINT), ageKeySource([age.identity])])).toBe(
        PLAIN,
      );
      expect(await decryptsWithSops(file, ageOnly)).toBe(PLAIN);
      expect(await decryptsWithSops(file, withServiceAccount())).toBe(PLAIN);
      const none = await decryptsWithSops(file, neither);
      expect(none).toMatch(/^exit [1-9]/);
      expect(none).not.toContain('hunter2');
      const error = await decryptWith(file, [gcp(DEAD_ENDPOINT), ageKeySource()]).catch(
        (e: unknown) => (e as Error).message,
      );
      expect(error).toContain(`GCP KMS key ${server.keyName}: decrypt failed`);
      expect(error).toContain('UNREACHABLE');
      expect(error).not.toContain('hunter2');
    }
  });
});

describe('kustodian sops CLI with GCP KMS against a local GCP KMS wire-format server', () => {
  it('encrypts with --gcp-kms and decrypts, with credentials from the environment as sops', async () => {
    const encrypted = await kustodian(
      ['encrypt', '--gcp-kms', server.keyName, 'secret.yaml'],
      withServiceAccount(),
    );
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).toContain(`resource_id: ${server.keyName}`);
    await writeFile(join(dir, 'cli.enc.yaml'), encrypted.stdout);
    expect(await decryptsWithSops(encrypted.stdout, withToken())).toBe(PLAIN);
    const decrypted = await kustodian(['decrypt', 'cli.enc.yaml'], withToken());
    expect(decrypted.stderr).toBe('');
    expect(decrypted.stdout).toBe(PLAIN);
  });

  it('encrypts for the gcp_kms key of a .sops.yaml creation rule', async () => {
    const ruleDir = await mkdtemp(join(dir, 'rules-'));
    await writeFile(
      join(ruleDir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: \\.yaml$\n    gcp_kms: ${server.keyName}\n`,
    );
    await writeFile(join(ruleDir, 'secret.yaml'), PLAIN);
    const encrypted = await run(process.execPath, [MAIN, 'sops', 'encrypt', 'secret.yaml'], {
      env: withToken(),
      cwd: ruleDir,
    });
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).toContain(`resource_id: ${server.keyName}`);
    expect(await decryptsWithSops(encrypted.stdout, withServiceAccount())).toBe(PLAIN);
  });

  it('updatekeys adds the gcp_kms key of .sops.yaml; rotate --rm-gcp-kms removes it', async () => {
    const file = join(dir, 'keys.enc.yaml');
    await writeFile(file, await sopsEncrypt(['--age', age.recipient], env()));
    await writeFile(
      join(dir, 'keys.sops.yaml'),
      `creation_rules:\n  - age: ${age.recipient}\n    gcp_kms: ${server.keyName}\n`,
    );
    const withAge = { ...withToken(), SOPS_AGE_KEY: age.identity };
    const updated = await kustodian(
      ['updatekeys', '--yes', '--config', 'keys.sops.yaml', 'keys.enc.yaml'],
      withAge,
    );
    expect(updated.code).toBe(0);
    expect((await sops(['--decrypt', file], withServiceAccount())).stdout).toBe(PLAIN);

    const rotated = await kustodian(
      ['rotate', '--in-place', '--rm-gcp-kms', server.keyName, 'keys.enc.yaml'],
      withAge,
    );
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect((await sops(['--decrypt', file], withServiceAccount())).code).not.toBe(0);
    expect((await sops(['--decrypt', file], env({ SOPS_AGE_KEY: age.identity }))).stdout).toBe(
      PLAIN,
    );
  });

  it('a GCP KMS that is down fails the decrypt naming the key, without the plaintext', async () => {
    const file = await sopsEncrypt(['--gcp-kms', server.keyName], withServiceAccount());
    await writeFile(join(dir, 'down.enc.yaml'), file);
    const result = await kustodian(
      ['decrypt', 'down.enc.yaml'],
      env({ GOOGLE_OAUTH_ACCESS_TOKEN: server.accessToken, SOPS_GCP_KMS_ENDPOINT: DEAD_ENDPOINT }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`GCP KMS key ${server.keyName}: decrypt failed`);
    expect(result.stderr).toContain('UNREACHABLE');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    expect(result.stdout + result.stderr).not.toContain(server.accessToken);
  });
});
