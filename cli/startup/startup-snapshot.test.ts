import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodeCacheLayout } from '../../bin/strip-code-cache.js';
import { ageKeySource, encryptFile } from '../../sops/index.ts';
import { createSnapshotPackage } from '../../test/harness/snapshot-package.ts';

// Correctness of the startup snapshot, not its speed (bench/ measures that): a package laid out
// like the real one (bin/kustodian.js, dist/snapshot/ built from the sources, dist/cli/main.js
// running the sources) is run from the snapshot and from the modules, with the same results.

const repo = join(import.meta.dirname, '..', '..');
const PLAIN = '# db\ndb:\n    password: snapshot-path-secret\n    port: 5432\n    ratio: 0.5\n';
let dir: string;
let bin: string;
let env: NodeJS.ProcessEnv;
let recipient: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-snapshot-'));
  bin = await createSnapshotPackage(dir);

  const identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  await writeFile(join(dir, 'keys.txt'), `${identity}\n`, { mode: 0o600 });
  const encrypted = await encryptFile(Buffer.from(PLAIN), {
    format: 'yaml',
    keySources: [ageKeySource([identity])],
    keyGroups: [[{ type: 'age', id: recipient }]],
  });
  await writeFile(join(dir, 'secrets.enc.yaml'), encrypted);
  await writeFile(join(dir, 'plain.yaml'), PLAIN);
  await writeTree(join(dir, 'tree'));
  // The key comes through SOPS_AGE_KEY_CMD, which also records the command line of the
  // kustodian process (its parent): it shows whether the snapshot was used.
  env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    SOPS_AGE_KEY_CMD: `tr '\\0' ' ' </proc/$PPID/cmdline >"${join(dir, 'cmdline')}"; cat "${join(dir, 'keys.txt')}"`,
  };
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeTree(root: string): Promise<void> {
  mkdirSync(join(root, 'base'), { recursive: true });
  mkdirSync(join(root, 'overlay'), { recursive: true });
  await writeFile(
    join(root, 'base', 'kustomization.yaml'),
    'resources:\n- app.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n  - A=b\n',
  );
  await writeFile(
    join(root, 'base', 'app.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: nginx\n        envFrom:\n        - configMapRef:\n            name: settings\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
  );
  await writeFile(
    join(root, 'overlay', 'kustomization.yaml'),
    'namePrefix: dev-\nnamespace: apps\nresources:\n- ../base\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: app\n    spec:\n      template:\n        spec:\n          containers:\n          - name: main\n            image: nginx:1.27\n          - name: sidecar\n            image: busybox\n',
  );
}

type Path = 'snapshot' | 'modules';

function run(path: Path, args: string[]) {
  return spawnSync(bin, args, {
    cwd: dir,
    env: { ...env, ...(path === 'modules' ? { KUSTODIAN_SNAPSHOT: 'off' } : {}) },
    encoding: 'utf8',
  });
}

/** Runs a decrypt and tells whether that process had started from the snapshot blob. */
function startedFromSnapshot(path: Path): boolean {
  const result = run(path, ['sops', 'decrypt', 'secrets.enc.yaml']);
  expect(result.status).toBe(0);
  return readFileSync(join(dir, 'cmdline'), 'utf8').includes('--snapshot-blob');
}

describe('the startup snapshot of the one-shot commands', { timeout: 60_000 }, () => {
  it('is used for sops when fresh, and not when turned off', () => {
    expect(startedFromSnapshot('snapshot')).toBe(true);
    const cmdline = readFileSync(join(dir, 'cmdline'), 'utf8');
    expect(cmdline).toContain('/sops.blob');
    // The launcher's V8 tiers for short sops runs reach the process.
    expect(cmdline).toContain('--max-opt=2');
    expect(startedFromSnapshot('modules')).toBe(false);
  });

  it('gives each command a blob of its own, without the other command', () => {
    const snapshot = join(dir, 'pkg', 'dist', 'snapshot');
    // Built with V8's compiled code kept and Node's code cache of its built-ins dropped.
    for (const command of ['sops', 'kustomize'])
      expect(readCodeCacheLayout(readFileSync(join(snapshot, `${command}.blob`)))).toMatchObject({
        entries: 0,
      });
    const node = readFileSync(join(snapshot, 'node'), 'utf8').trim();
    const fromBlob = (command: string, args: string[]) =>
      spawnSync(node, ['--snapshot-blob', join(snapshot, `${command}.blob`), '--', ...args], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
    const kustomize = fromBlob('kustomize', ['kustomize', 'tree/overlay']);
    expect(kustomize.status).toBe(0);
    expect(kustomize.stdout).toBe(run('modules', ['kustomize', 'tree/overlay']).stdout);
    expect(fromBlob('sops', ['sops', 'decrypt', 'secrets.enc.yaml']).stdout).toBe(PLAIN);
    expect(fromBlob('kustomize', ['sops', 'decrypt', 'secrets.enc.yaml']).stderr).toMatch(
      /unknown command 'sops'/,
    );
    expect(fromBlob('sops', ['kustomize', 'tree/overlay']).stderr).toMatch(
      /unknown command 'kustomize'/,
    );
  });

  it.each([
    { name: 'decrypt to stdout', args: ['sops', 'decrypt', 'secrets.enc.yaml'] },
    {
      name: 'decrypt --extract',
      args: ['sops', 'decrypt', '--extract', '["db"]["port"]', 'secrets.enc.yaml'],
    },
    { name: 'kustomize, legacy order', args: ['kustomize', 'tree/overlay'] },
    { name: 'kustomize --reorder none', args: ['kustomize', '--reorder', 'none', 'tree/overlay'] },
    { name: 'a missing file', args: ['sops', 'decrypt', 'missing.yaml'] },
    { name: 'a missing kustomization', args: ['kustomize', 'tree'] },
    { name: 'an unknown option', args: ['sops', 'decrypt', '--no-such-flag', 'x.yaml'] },
    { name: 'sops decrypt --help', args: ['sops', 'decrypt', '--help'] },
    { name: 'kustomize --help', args: ['kustomize', '--help'] },
  ])('$name: same output and exit status from the snapshot and the modules', ({ args }) => {
    const fromSnapshot = run('snapshot', args);
    const fromModules = run('modules', args);
    expect(fromSnapshot.stdout).toBe(fromModules.stdout);
    expect(fromSnapshot.stderr).toBe(fromModules.stderr);
    expect(fromSnapshot.status).toBe(fromModules.status);
  });

  it('decrypts to the plaintext and builds the patched overlay', () => {
    expect(run('snapshot', ['sops', 'decrypt', 'secrets.enc.yaml']).stdout).toBe(PLAIN);
    const built = run('snapshot', ['kustomize', 'tree/overlay']).stdout;
    expect(built).toContain('name: dev-settings-');
    expect(built).toContain('image: nginx:1.27');
    expect(built).toContain('name: sidecar');
  });

  it('loads packages kept out of the snapshot (post-quantum age) from node_modules', async () => {
    const identity = await generateHybridIdentity();
    const encrypted = await encryptFile(Buffer.from(PLAIN), {
      format: 'yaml',
      keySources: [ageKeySource([identity])],
      keyGroups: [[{ type: 'age', id: await identityToRecipient(identity) }]],
    });
    await writeFile(join(dir, 'pq.enc.yaml'), encrypted);
    await writeFile(join(dir, 'pq-keys.txt'), `${identity}\n`, { mode: 0o600 });
    const pqEnv = {
      ...env,
      SOPS_AGE_KEY_CMD: `tr '\\0' ' ' </proc/$PPID/cmdline >"${join(dir, 'cmdline')}"; cat "${join(dir, 'pq-keys.txt')}"`,
    };
    const result = spawnSync(bin, ['sops', 'decrypt', 'pq.enc.yaml'], {
      cwd: dir,
      env: pqEnv,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(PLAIN);
    expect(readFileSync(join(dir, 'cmdline'), 'utf8')).toContain('--snapshot-blob');
  });

  it('draws a fresh data key and fresh IVs in every encrypting run', () => {
    const encrypt = () => run('snapshot', ['sops', 'encrypt', '--age', recipient, 'plain.yaml']);
    const [first, second] = [encrypt(), encrypt()];
    expect(first.status).toBe(0);
    const ivs = (text: string) => [...text.matchAll(/iv:([^,]+),/g)].map((m) => m[1]);
    expect(ivs(first.stdout).length).toBeGreaterThan(2);
    expect(ivs(first.stdout).filter((iv) => ivs(second.stdout).includes(iv))).toEqual([]);
    expect(first.stdout).not.toContain('snapshot-path-secret');
    const encrypted = join(dir, 'again.enc.yaml');
    return writeFile(encrypted, first.stdout).then(() => {
      expect(run('modules', ['sops', 'decrypt', encrypted]).stdout).toBe(PLAIN);
    });
  });

  it('is not used when older than the compiled code or the Node binary that built it', async () => {
    const snapshot = join(dir, 'pkg', 'dist', 'snapshot');
    const main = join(dir, 'pkg', 'dist', 'cli', 'main.js');
    const later = new Date(Date.now() + 60_000);
    utimesSync(main, later, later);
    expect(startedFromSnapshot('snapshot')).toBe(false);
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(main, past, past);
    expect(startedFromSnapshot('snapshot')).toBe(true);

    // A Node binary replaced after the build (newer than the blob) cannot load it.
    const node = readFileSync(join(snapshot, 'node'), 'utf8').trim();
    const replaced = join(dir, 'node');
    await writeFile(replaced, `#!/bin/sh\nexec "${node}" "$@"\n`, { mode: 0o755 });
    utimesSync(replaced, later, later);
    await writeFile(join(snapshot, 'node'), `${replaced}\n`);
    expect(startedFromSnapshot('snapshot')).toBe(false);
    await writeFile(join(snapshot, 'node'), `${node}\n`);
  });
});
