import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTool } from '../harness/run-tool.ts';

const bin = fileURLToPath(new URL('../../bin/kustodian.js', import.meta.url));

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
});
