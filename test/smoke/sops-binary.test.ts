import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../harness/run-tool.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-sops-smoke-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the real sops and age binaries from the test bed', () => {
  it('are the pinned versions', async () => {
    const sops = await runTool('sops', ['--version', '--disable-version-check']);
    expect(sops.stdout).toMatch(/sops 3\.13\.\d/);
    const age = await runTool('age', ['--version']);
    expect(age.stdout.trim()).toMatch(/^v1\.3\.\d/);
  });

  it('encrypt a YAML file to an age recipient and decrypt it again', async () => {
    const keygen = await runTool('age-keygen', []);
    expect(keygen.code).toBe(0);
    const keyFile = join(dir, 'keys.txt');
    await writeFile(keyFile, keygen.stdout, { mode: 0o600 });
    const recipient = /public key: (age1[0-9a-z]+)/.exec(keygen.stdout)?.[1] ?? '';
    expect(recipient).toMatch(/^age1/);

    const plain =
      'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n';
    const plainFile = join(dir, 'secret.yaml');
    await writeFile(plainFile, plain);
    const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };

    const encrypted = await runTool(
      'sops',
      ['--encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', plainFile],
      { env },
    );
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).not.toContain('hunter2');
    expect(encrypted.stdout).toMatch(/password: ENC\[AES256_GCM,data:/);
    expect(encrypted.stdout).toContain('name: db');

    const encryptedFile = join(dir, 'secret.enc.yaml');
    await writeFile(encryptedFile, encrypted.stdout);
    const decrypted = await runTool('sops', ['--decrypt', encryptedFile], { env });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout).toBe(plain);

    // Without the key, decryption must fail and reveal nothing.
    const noKey = await runTool('sops', ['--decrypt', encryptedFile], {
      env: { ...process.env, SOPS_AGE_KEY_FILE: join(dir, 'missing.txt'), HOME: dir },
    });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stdout + noKey.stderr).not.toContain('hunter2');
    expect(await readFile(encryptedFile, 'utf8')).toBe(encrypted.stdout);
  });

  it('gpg is available for OpenPGP interop', async () => {
    const gpg = await runTool('gpg', ['--version']);
    expect(gpg.code).toBe(0);
    expect(gpg.stdout).toMatch(/^gpg \(GnuPG\) 2\./);
  });
});
