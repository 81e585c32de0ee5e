import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../harness/run-tool.ts';

const script = fileURLToPath(new URL('../testbed/install-emulators.sh', import.meta.url));

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-install-emulators-'));
  // A `go` that always fails, so the script's failure path runs without the network.
  const fakeBin = join(dir, 'fake-bin');
  await mkdir(fakeBin);
  await writeFile(
    join(fakeBin, 'go'),
    '#!/bin/sh\necho "go: simulated proxy refusal" >&2\nexit 1\n',
  );
  await chmod(join(fakeBin, 'go'), 0o755);
  env = {
    ...process.env,
    KUSTODIAN_CACHE: join(dir, 'cache'),
    PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('install-emulators.sh', () => {
  it('reports the part that failed with its log, and does not rebuild it next run', async () => {
    const first = await runTool('bash', [script, 'local-kms'], { env });
    expect(first.code).toBe(4);
    const log = join(dir, 'cache', 'logs', 'local-kms.log');
    expect(first.stderr).toContain(`building local-kms`);
    expect(first.stderr).toContain(`failed; log: ${log}`);
    expect(first.stderr).toContain('emulators missing: local-kms');
    expect(await readFile(log, 'utf8')).toContain('simulated proxy refusal');
    expect(existsSync(join(dir, 'cache', 'bin', 'local-kms'))).toBe(false);

    const second = await runTool('bash', [script, 'local-kms'], { env });
    expect(second.code).toBe(4);
    expect(second.stderr).toContain('skipping local-kms');
    expect(second.stderr).not.toContain('building local-kms');

    const retried = await runTool('bash', [script, 'local-kms'], {
      env: { ...env, KUSTODIAN_RETRY_EMULATORS: '1' },
    });
    expect(retried.code).toBe(4);
    expect(retried.stderr).toContain('building local-kms');
  });

  it('refuses an unknown part by name', async () => {
    const result = await runTool('bash', [script, 'no-such-emulator'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown emulator part: no-such-emulator');
  });
});
