import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Header, Pax } from 'tar';
import { createSourceIgnore, readSourceIgnoreFiles, type SourceIgnore } from './source-ignore.ts';

/** A file or directory that goes into an artifact, in archive order. */
export interface ArchiveEntry {
  /** Relative path with `/` separators; directories end without a slash. */
  readonly path: string;
  readonly type: 'file' | 'directory';
  readonly mode: 0o644 | 0o755;
  readonly size: number;
}

export interface ArchiveResult {
  /** `sha256:<hex>` of the .tar.gz bytes, as Flux's `status.artifact.digest`. */
  readonly digest: string;
  /** Size of the .tar.gz in bytes. */
  readonly size: number;
  readonly entries: readonly ArchiveEntry[];
}

const EPOCH = new Date(0);
const BLOCK = 512;

interface WalkedEntry {
  path: string;
  type: 'file' | 'directory';
  executable: boolean;
  size: number;
}

/** Lists the tree depth-first with names sorted, like Go's filepath.Walk; skips `.git` and symlinks. */
async function walk(root: string, dir = ''): Promise<WalkedEntry[]> {
  const names = (await readdir(join(root, dir))).sort();
  const out: WalkedEntry[] = [];
  for (const name of names) {
    // `.git` is the repository at the root and a gitlink file in each submodule: never content.
    if (name === '.git') continue;
    const path = dir === '' ? name : `${dir}/${name}`;
    const stat = await lstat(join(root, path));
    if (stat.isDirectory()) {
      out.push({ path, type: 'directory', executable: true, size: 0 });
      out.push(...(await walk(root, path)));
    } else if (stat.isFile()) {
      // Symlinks, sockets and devices are left out: a symlink could point outside the source.
      out.push({ path, type: 'file', executable: (stat.mode & 0o111) !== 0, size: stat.size });
    }
  }
  return out;
}

/** Drops ignored entries, and everything below an ignored directory, as git does. */
function applyIgnore(walked: readonly WalkedEntry[], ignore: SourceIgnore): ArchiveEntry[] {
  const ignoredDirs = new Set<string>();
  const kept: ArchiveEntry[] = [];
  for (const entry of walked) {
    const parts = entry.path.split('/');
    let underIgnored = false;
    for (let i = 1; i < parts.length && !underIgnored; i++)
      underIgnored = ignoredDirs.has(parts.slice(0, i).join('/'));
    if (underIgnored) continue;
    if (ignore.isIgnored(entry.path, entry.type === 'directory')) {
      if (entry.type === 'directory') ignoredDirs.add(entry.path);
      continue;
    }
    const mode = entry.type === 'directory' || entry.executable ? 0o755 : 0o644;
    kept.push({ path: entry.path, type: entry.type, mode, size: entry.size });
  }
  return kept;
}

/**
 * Lists what an artifact of `dir` contains: Flux's default excludes, every `.sourceignore`
 * (scoped to its directory) and `spec.ignore` applied; symlinks and `.git` left out.
 */
export async function listArtifactEntries(
  dir: string,
  options: { ignore?: string } = {},
): Promise<ArchiveEntry[]> {
  const walked = await walk(dir);
  const dirs = ['', ...walked.filter((e) => e.type === 'directory').map((e) => e.path)];
  const ignoreFiles = await readSourceIgnoreFiles(dir, dirs);
  const matcher = createSourceIgnore({
    ignoreFiles,
    ...(options.ignore !== undefined ? { specIgnore: options.ignore } : {}),
  });
  return applyIgnore(walked, matcher);
}

/** A ustar header (plus a PAX header for long names) with every varying field fixed. */
function headerFor(entry: ArchiveEntry): Buffer {
  const name = entry.type === 'directory' ? `${entry.path}/` : entry.path;
  const data = {
    path: name,
    mode: entry.mode,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: entry.type === 'file' ? entry.size : 0,
    mtime: EPOCH,
    type: entry.type === 'file' ? ('File' as const) : ('Directory' as const),
  };
  const header = new Header(data);
  const needPax = header.encode();
  if (!needPax || !header.block) return header.block ?? Buffer.alloc(BLOCK);
  const pax = new Pax({ path: name }).encode();
  return Buffer.concat([pax, header.block]);
}

async function* tarStream(dir: string, entries: readonly ArchiveEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield headerFor(entry);
    if (entry.type !== 'file') continue;
    let written = 0;
    for await (const chunk of createReadStream(join(dir, entry.path))) {
      const buf = chunk as Buffer;
      // A file that grew while archiving must not corrupt the stream.
      const room = entry.size - written;
      if (room <= 0) break;
      const part = buf.length > room ? buf.subarray(0, room) : buf;
      written += part.length;
      yield part;
    }
    if (written < entry.size) throw new Error(`${entry.path} shrank while it was archived`);
    const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/**
 * Writes a normalized `.tar.gz` of `dir` to `target`: entries in walk order, zero mtimes,
 * uid/gid 0 without names, modes 0644/0755, symlinks skipped. The same tree always gives the
 * same bytes, hence the same digest.
 */
export async function writeArtifactArchive(
  dir: string,
  target: string,
  options: { ignore?: string } = {},
): Promise<ArchiveResult> {
  const entries = await listArtifactEntries(dir, options);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  await pipeline(
    tarStream(dir, entries),
    createGzip({ level: 9 }),
    tap,
    createWriteStream(target, { mode: 0o644 }),
  );
  return { digest: `sha256:${hash.digest('hex')}`, size, entries };
}
