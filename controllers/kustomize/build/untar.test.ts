import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { untarToMemory } from './untar.ts';

type Entry = {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink';
  body?: string;
  linkpath?: string;
};

/** A tar archive built block by block, so hostile entries can be expressed. */
function makeTar(entries: readonly Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: entry.type === undefined || entry.type === 'File' ? body.length : 0,
      mode: 0o644,
      mtime: new Date(0),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block);
    blocks.push(block);
    if (body.length > 0 && (entry.type ?? 'File') === 'File') {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const limits = { maxBytes: 1024, maxFiles: 10 };

describe('untarToMemory', () => {
  it('keeps regular files, drops directories and symlinks', async () => {
    const files = await untarToMemory(
      makeTar([
        { path: './apps/', type: 'Directory' },
        { path: './apps/a.yaml', body: 'a: 1\n' },
        { path: 'link.yaml', type: 'SymbolicLink', linkpath: '/etc/passwd' },
      ]),
      limits,
    );
    expect([...files.keys()]).toEqual(['apps/a.yaml']);
    expect(Buffer.from(files.get('apps/a.yaml') ?? []).toString()).toBe('a: 1\n');
  });

  it.each([
    {
      name: 'an entry climbing out is refused',
      entries: [{ path: '../evil.yaml', body: 'x' }],
      want: /climbs out/,
    },
    {
      name: 'an absolute entry is refused',
      entries: [{ path: '/etc/evil', body: 'x' }],
      want: /absolute/,
    },
    {
      name: 'too many files are refused',
      entries: [...Array(11).keys()].map((i) => ({ path: `f${i}`, body: 'x' })),
      want: /more than 10 files/,
    },
    {
      name: 'too many bytes are refused',
      entries: [{ path: 'big', body: 'x'.repeat(2000) }],
      want: /more than 1024 bytes/,
    },
  ])('$name', async ({ entries, want }) => {
    await expect(untarToMemory(makeTar(entries), limits)).rejects.toThrow(want);
  });

  it('refuses something that is not an archive', async () => {
    await expect(untarToMemory(gzipSync(Buffer.from('hello')), limits)).rejects.toThrow(
      /invalid archive/,
    );
  });
});
