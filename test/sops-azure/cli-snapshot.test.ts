import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptFile } from '../../sops/index.ts';
import { createSnapshotPackage } from '../harness/snapshot-package.ts';
import { type AzureFixture, startAzureFixture } from './azure-fixtures.ts';

// The shipped one-shot CLI starts from a V8 startup snapshot in which import() of a package is
// replaced by a require from node_modules: the Azure SDK must load and work that way too.

const plain = 'db:\n    password: hunter2\n';
let azure: AzureFixture;
let dir: string;
let bin: string;

beforeAll(async () => {
  azure = await startAzureFixture();
  dir = await mkdtemp(join(tmpdir(), 'kustodian-azure-snapshot-'));
  bin = await createSnapshotPackage(dir);
  const encrypted = await encryptFile(new TextEncoder().encode(plain), {
    path: 'db.enc.yaml',
    keyGroups: [[{ type: 'azure_kv', id: azure.keyUrl }]],
    keySources: [azure.secretSource()],
  });
  await writeFile(join(dir, 'db.enc.yaml'), encrypted);
}, 180_000);

afterAll(async () => {
  await azure?.server.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs bin/kustodian.js (async: the wire server lives in this process). */
function kustodian(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(bin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('kustodian sops from the startup snapshot with a local Azure Key Vault wire-format server', {
  timeout: 60_000,
}, () => {
  it.each(['snapshot', 'modules'])('decrypts with a client certificate (%s)', async (path) => {
    const cmdline = join(dir, `cmdline-${path}`);
    const env = {
      ...azure.sopsEnv('certificate'),
      ...(path === 'modules' ? { KUSTODIAN_SNAPSHOT: 'off' } : {}),
      // Records the command line of the kustodian process: did it start from the blob?
      SOPS_AGE_KEY_CMD: `tr '\\0' ' ' </proc/$PPID/cmdline >"${cmdline}"`,
    };
    const result = await kustodian(['sops', 'decrypt', 'db.enc.yaml'], env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(plain);
    expect(readFileSync(cmdline, 'utf8').includes('--snapshot-blob')).toBe(path === 'snapshot');
  });
});
