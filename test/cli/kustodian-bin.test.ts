import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../harness/run-tool.ts';

const bin = fileURLToPath(new URL('../../bin/kustodian.js', import.meta.url));
const bundle = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-bin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the kustodian executable', () => {
  it('prints help listing its subcommands', async () => {
    const result = await runTool(process.execPath, [bin, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kustodian/);
    expect(result.stdout).toContain('demo');
  });

  it('rejects an unknown subcommand with a message and a non-zero exit', async () => {
    const result = await runTool(process.execPath, [bin, 'no-such-command']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'no-such-command'");
  });

  it('runs the main job: a SOPS-encrypted fleet repo reconciled into a real cluster', async () => {
    const result = await runTool(process.execPath, [bin, 'demo', '--once'], { timeoutMs: 170_000 });
    expect(result.stderr).toContain('kube-apiserver ready at https://127.0.0.1:');
    expect(result.stderr).toMatch(
      /Kustomization\/flux-system\/demo: Ready=True ReconciliationSucceeded: Applied revision: master@sha1:[0-9a-f]{40}/,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Kustomization flux-system\/demo applied master@sha1:/);
    // The decrypted Secrets landed, and only their sizes are shown.
    expect(result.stdout).toMatch(/Secret\/demo\/api\n +tls-passphrase: <redacted, 17 bytes/);
    expect(result.stdout).toMatch(
      /Secret\/demo\/db-credentials-[a-z0-9]{10}\n +DB_PASSWORD: <redacted/,
    );
    expect(result.stdout).toContain('env API_TOKEN: <redacted>');
    // No generated secret value (tok-/pw-/pass- + 12 hex) appears anywhere.
    expect(result.stdout + result.stderr).not.toMatch(/(tok|pw|pass)-[0-9a-f]{12}/);
  }, 180_000);

  it('runs one-shot commands from the bundle of the build, with the same results as the tools', async () => {
    expect(existsSync(bundle)).toBe(true);
    const keygen = await runTool('age-keygen', []);
    const keyFile = join(dir, 'keys.txt');
    await writeFile(keyFile, keygen.stdout, { mode: 0o600 });
    const recipient = /public key: (age1[0-9a-z]+)/.exec(keygen.stdout)?.[1] ?? '';
    const plainFile = join(dir, 'values.yaml');
    await writeFile(plainFile, 'db:\n    password: bundled-path-secret\n    port: 5432\n');
    const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
    const encrypted = await runTool('sops', ['--encrypt', '--age', recipient, plainFile], { env });
    const encryptedFile = join(dir, 'values.enc.yaml');
    await writeFile(encryptedFile, encrypted.stdout);
    const ours = await runTool(process.execPath, [bin, 'sops', 'decrypt', encryptedFile], { env });
    const theirs = await runTool('sops', ['--decrypt', encryptedFile], { env });
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);

    const tree = join(dir, 'tree');
    await mkdir(tree);
    await writeFile(
      join(tree, 'kustomization.yaml'),
      'namePrefix: dev-\nresources: [cm.yaml]\nconfigMapGenerator:\n- name: gen\n  literals: [a=b]\n',
    );
    await writeFile(
      join(tree, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  x: "1"\n',
    );
    const built = await runTool(process.execPath, [bin, 'kustomize', tree]);
    const oracle = await runTool('kubectl', ['kustomize', tree]);
    expect(built.code).toBe(0);
    expect(built.stdout).toBe(oracle.stdout);
  });
});
