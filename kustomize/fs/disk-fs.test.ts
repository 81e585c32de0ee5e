import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskFs } from './disk-fs.ts';
import type { KustomizeFs } from './kustomize-fs.ts';
import { checkFileLoad } from './load-restrictor.ts';
import { createMemoryFs } from './memory-fs.ts';

describe.each([
  { mode: 'asynchronous', blocking: false },
  { mode: 'blocking', blocking: true },
])('disk fs ($mode calls)', ({ blocking }) => {
  let outside: string;
  let root: string;
  let fs: KustomizeFs;

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'kustodian-fs-'));
    root = join(outside, 'root');
    await mkdir(join(root, 'app'), { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'do not read');
    await writeFile(join(root, 'app', 'a.yaml'), 'kind: A\n');
    await symlink(join(outside, 'secret.txt'), join(root, 'app', 'escape.yaml'));
    await symlink('a.yaml', join(root, 'app', 'inside.yaml'));
    await symlink(join(outside, 'nothing'), join(root, 'app', 'dangling.yaml'));
    await symlink(outside, join(root, 'updir'));
    await symlink('app', join(root, 'linked'));
    fs = await createDiskFs(root, { blocking });
  });
  afterAll(() => rm(outside, { recursive: true, force: true }));

  it('reads a file inside the root', async () => {
    expect(new TextDecoder().decode(await fs.readFile('/app/a.yaml'))).toBe('kind: A\n');
  });
  it('follows a symlink that stays inside', async () => {
    expect(await fs.realPath('/app/inside.yaml')).toBe('/app/a.yaml');
  });
  it('follows a symlinked directory that stays inside', async () => {
    expect(await fs.realPath('/linked/a.yaml')).toBe('/app/a.yaml');
    expect(await fs.stat('/linked')).toEqual({ isDirectory: true, size: expect.any(Number) });
  });
  it.each([
    { name: 'dot-dot above the root', path: '/../secret.txt' },
    { name: 'a symlink to a file outside', path: '/app/escape.yaml' },
    { name: 'a symlink to a directory outside', path: '/updir/secret.txt' },
    { name: 'a dangling symlink', path: '/app/dangling.yaml' },
    { name: 'a link outside reached through a linked directory', path: '/linked/escape.yaml' },
    { name: 'a link outside reached through dot-dot', path: '/app/../linked/./escape.yaml' },
  ])('refuses $name, on every access', async ({ path }) => {
    // The second access finds the directories remembered from the first: still refused.
    for (const read of [fs.readFile, fs.readFile, fs.stat, fs.realPath]) {
      const error = await read(path).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SecurityViolation' });
      expect(String(error)).not.toContain('do not read');
    }
  });
  it('finds a file created after a lookup missed it', async () => {
    const fresh = await createDiskFs(root, { blocking });
    expect(await fresh.stat('/app/later.yaml')).toBeUndefined();
    await writeFile(join(root, 'app', 'later.yaml'), 'kind: B\n');
    expect(await fresh.stat('/app/later.yaml')).toEqual({ isDirectory: false, size: 8 });
    await rm(join(root, 'app', 'later.yaml'));
  });
  it('reports a path below a file as missing', async () => {
    expect(await fs.stat('/app/a.yaml/x')).toBeUndefined();
    await expect(fs.readFile('/app/a.yaml/x')).rejects.toMatchObject({ code: 'ResourceNotFound' });
  });
  it('lists a directory sorted', async () => {
    expect(await fs.readDir('/app')).toEqual([
      'a.yaml',
      'dangling.yaml',
      'escape.yaml',
      'inside.yaml',
    ]);
    expect(await fs.readDir('/linked')).toEqual(await fs.readDir('/app'));
  });
  it('stats a missing path as undefined', async () => {
    expect(await fs.stat('/app/none.yaml')).toBeUndefined();
  });
});

describe('memory fs', () => {
  const fs = createMemoryFs({ 'base/kustomization.yaml': 'resources: []\n', 'base/a.yaml': 'x' });
  it('has implied directories', async () => {
    expect(await fs.stat('/base')).toEqual({ isDirectory: true, size: 0 });
    expect(await fs.readDir('/')).toEqual(['base']);
  });
  it('refuses paths above the root', async () => {
    await expect(fs.readFile('/../x')).rejects.toMatchObject({ code: 'SecurityViolation' });
  });
  it('reports a missing file', async () => {
    await expect(fs.readFile('/base/b.yaml')).rejects.toMatchObject({ code: 'ResourceNotFound' });
  });
});

describe('load restrictor', () => {
  it.each([
    {
      name: 'file below the root is allowed',
      file: '/o/x.yaml',
      restrictor: 'LoadRestrictionsRootOnly',
      ok: true,
    },
    {
      name: 'file beside the root is refused',
      file: '/b/x.yaml',
      restrictor: 'LoadRestrictionsRootOnly',
      ok: false,
    },
    {
      name: 'sibling prefix is refused',
      file: '/o2/x.yaml',
      restrictor: 'LoadRestrictionsRootOnly',
      ok: false,
    },
    {
      name: 'none allows anything',
      file: '/b/x.yaml',
      restrictor: 'LoadRestrictionsNone',
      ok: true,
    },
  ] as const)('$name', ({ file, restrictor, ok }) => {
    const run = () => checkFileLoad(restrictor, '/o', file);
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(/is not in or below '\/o'/);
  });
});
