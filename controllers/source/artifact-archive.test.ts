import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listArtifactEntries, writeArtifactArchive } from './artifact-archive.ts';

let dir: string;

async function put(path: string, content: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), content);
}

interface ListedEntry {
  path: string;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  uname: string | undefined;
  mtime: number | undefined;
  type: string;
}

async function listTar(file: string): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  await list({
    file,
    onReadEntry: (e) => {
      entries.push({
        path: e.path,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        uname: e.uname,
        mtime: e.mtime?.getTime(),
        type: e.type,
      });
    },
  });
  return entries;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-archive-'));
  await mkdir(join(dir, 'src'));
  dir = join(dir, 'src');
  await put('apps/deploy.yaml', 'kind: Deployment\n');
  await put('apps/b.yaml', 'b\n');
  await put('run.sh', '#!/bin/sh\n');
  await chmod(join(dir, 'run.sh'), 0o775);
  await put('.git/config', '[core]\n');
  await put('logo.png', 'PNG');
  await put('tests/t.yaml', 't\n');
  await put('.sourceignore', 'tests/\n');
  await symlink('/etc/passwd', join(dir, 'apps/link'));
});

afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('artifact archive', () => {
  it('lists entries sorted, without .git, ignored paths, images or symlinks', async () => {
    await put('vendor/sub/.git', 'gitdir: ../../.git/modules/sub\n');
    await put('vendor/sub/x.yaml', 'x\n');
    const entries = await listArtifactEntries(dir);
    expect(entries.map((e) => e.path)).toEqual([
      '.sourceignore',
      'apps',
      'apps/b.yaml',
      'apps/deploy.yaml',
      'run.sh',
      'vendor',
      'vendor/sub',
      'vendor/sub/x.yaml',
    ]);
    expect(entries.find((e) => e.path === 'run.sh')?.mode).toBe(0o755);
    expect(entries.find((e) => e.path === 'apps/b.yaml')?.mode).toBe(0o644);
  });

  it('spec.ignore applies on top of .sourceignore', async () => {
    const entries = await listArtifactEntries(dir, { ignore: '*.sh\n!tests/\n' });
    expect(entries.map((e) => e.path)).toEqual([
      '.sourceignore',
      'apps',
      'apps/b.yaml',
      'apps/deploy.yaml',
      'tests',
      'tests/t.yaml',
    ]);
  });

  it('writes normalized headers: zero mtime, uid/gid 0, no owner names, fixed modes', async () => {
    const out = join(dir, '..', 'a.tar.gz');
    await writeArtifactArchive(dir, out);
    const entries = await listTar(out);
    expect(entries.map((e) => e.path)).toEqual([
      '.sourceignore',
      'apps/',
      'apps/b.yaml',
      'apps/deploy.yaml',
      'run.sh',
    ]);
    for (const e of entries) {
      expect(e.mtime).toBe(0);
      expect(e.uid).toBe(0);
      expect(e.gid).toBe(0);
      expect(e.uname ?? '').toBe('');
    }
    expect(entries.map((e) => e.mode)).toEqual([0o644, 0o755, 0o644, 0o644, 0o755]);
  });

  it('the same tree gives the same digest whatever the mtimes; a content change changes it', async () => {
    const first = await writeArtifactArchive(dir, join(dir, '..', '1.tar.gz'));
    await utimes(join(dir, 'apps/b.yaml'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = await writeArtifactArchive(dir, join(dir, '..', '2.tar.gz'));
    expect(second.digest).toBe(first.digest);
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.size).toBe((await readFile(join(dir, '..', '1.tar.gz'))).length);
    await put('apps/b.yaml', 'changed\n');
    const third = await writeArtifactArchive(dir, join(dir, '..', '3.tar.gz'));
    expect(third.digest).not.toBe(first.digest);
  });

  it('keeps paths longer than 100 characters intact', async () => {
    const long = `${'d'.repeat(60)}/${'f'.repeat(70)}.yaml`;
    await put(long, 'x\n');
    const out = join(dir, '..', 'long.tar.gz');
    await writeArtifactArchive(dir, out);
    expect((await listTar(out)).map((e) => e.path)).toContain(long);
  });
});
