import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(import.meta.dirname, 'main.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-cli-kustomize-'));
  await mkdir(join(dir, 'app'));
  await writeFile(
    join(dir, 'app', 'kustomization.yaml'),
    'namePrefix: p-\nresources:\n- all.yaml\n',
  );
  await writeFile(
    join(dir, 'app', 'all.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n',
  );
  await mkdir(join(dir, 'empty'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [main, 'kustomize', ...args], { cwd: dir, encoding: 'utf8' });
}

describe('kustodian kustomize', { timeout: 30_000 }, () => {
  it('prints the build in legacy order by default', () => {
    const result = run(['app']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p-d\n',
    );
  });

  it('keeps input order with --reorder none', () => {
    const result = run(['--reorder', 'none', 'app']);
    expect(result.stdout.indexOf('Deployment')).toBeLessThan(result.stdout.indexOf('Namespace'));
  });

  it('exits non-zero with a message on stderr when there is no kustomization', () => {
    const result = run(['empty']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unable to find one of 'kustomization.yaml'/);
    expect(result.stdout).toBe('');
  });

  it('refuses an unknown --load-restrictor value', () => {
    expect(run(['--load-restrictor', 'Anything', 'app']).status).not.toBe(0);
  });
});
