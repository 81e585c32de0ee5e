import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneStartError, startControlPlane, testbedBinDir } from '../testbed/index.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kustodian-lifecycle-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('control plane lifecycle', () => {
  it('stop() kills etcd and kube-apiserver and removes the scratch directory', async () => {
    const plane = await startControlPlane({ binDir: testbedBinDir() });
    const pids = await pidsOf(plane.dir);
    expect(pids).toHaveLength(2);
    expect(existsSync(plane.kubeconfigPath)).toBe(true);
    await plane.stop();
    expect(existsSync(plane.dir)).toBe(false);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('a part that fails to start is named, with the path of its log', async () => {
    const binDir = join(scratch, 'broken-bin');
    await rm(binDir, { recursive: true, force: true });
    await mkdir(binDir);
    // etcd that exits at once, as a corrupt or incompatible binary would.
    await writeFile(
      join(binDir, 'etcd'),
      '#!/bin/sh\necho "etcd: cannot open data dir" >&2\nexit 2\n',
    );
    await chmod(join(binDir, 'etcd'), 0o755);
    await symlink(join(testbedBinDir(), 'kube-apiserver'), join(binDir, 'kube-apiserver'));

    const error = await startControlPlane({ binDir, readyTimeoutSeconds: 10 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControlPlaneStartError);
    const startError = error as ControlPlaneStartError;
    expect(startError.part).toBe('etcd');
    expect(startError.message).toContain(startError.logPath);
    expect(await readFile(startError.logPath, 'utf8')).toContain('cannot open data dir');
    // A failed start keeps its directory for the person reading the error; the test removes it.
    await rm(dirname(startError.logPath), { recursive: true, force: true });
  });
});

/** The pids of processes whose command line mentions the plane's directory. */
async function pidsOf(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}
