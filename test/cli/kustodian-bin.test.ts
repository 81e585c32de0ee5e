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

  it('runs the main job: starts a control plane, applies a namespace and prints it', async () => {
    const result = await runTool(process.execPath, [bin, 'demo'], { timeoutMs: 120_000 });
    expect(result.stderr).toContain('kube-apiserver v1.35.');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('namespace/kustodian-demo');
    expect(result.stdout).toMatch(/phase: +Active/);
    expect(result.stdout).toMatch(/field managers: kustodian/);
  }, 120_000);
});
