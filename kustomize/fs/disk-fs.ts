import { lstatSync, readdirSync, readFileSync, realpathSync, type Stats, statSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { KustomizeError } from '../errors.ts';
import { cleanFsPath, type FsEntryStat, type KustomizeFs } from './kustomize-fs.ts';

/** Where a path really is on disk; `info` is its stat when it was not reached through a link. */
interface Resolved {
  real: string;
  info: Stats | undefined;
}

/** The file system calls a disk fs makes. */
interface DiskCalls {
  lstat(path: string): Promise<Stats>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readFile(path: string): Promise<Uint8Array>;
  readdir(path: string): Promise<string[]>;
}

const asyncCalls: DiskCalls = { lstat, stat, realpath, readFile, readdir };

// The same calls made synchronously: a one-shot CLI has nothing else to do meanwhile, and each
// asynchronous call is a trip through the thread pool (a dozen of them per small build).
const blockingCalls: DiskCalls = {
  lstat: async (path) => lstatSync(path),
  stat: async (path) => statSync(path),
  realpath: async (path) => realpathSync(path),
  readFile: async (path) => readFileSync(path),
  readdir: async (path) => readdirSync(path),
};

export interface DiskFsOptions {
  /**
   * Makes every file system call synchronously, blocking the event loop: for a process that
   * runs one build and nothing else (the CLI), never for the controller.
   */
  blocking?: boolean;
}

/**
 * A `KustomizeFs` over a directory on disk. Paths are relative to that directory; every access
 * resolves symlinks first and refuses a target outside the directory, so a hostile repository
 * cannot make the engine read `/etc/passwd` through `../` or a link.
 *
 * A disk fs serves one build: it remembers where each path it found really is (a `realpath` of
 * every access was a sixth of a small build), so it sees the tree as it was when first read.
 */
export async function createDiskFs(
  rootDir: string,
  options: DiskFsOptions = {},
): Promise<KustomizeFs> {
  const { lstat, stat, realpath, readFile, readdir } = options.blocking
    ? blockingCalls
    : asyncCalls;
  const root = await realpath(rootDir);

  const toDisk = (path: string): string => {
    const clean = cleanFsPath(path);
    if (clean === undefined) {
      throw new KustomizeError('SecurityViolation', `${path}: path is outside the root directory`);
    }
    return joinClean(root, clean);
  };

  const toFs = (diskPath: string): string | undefined => {
    if (diskPath === root) return '/';
    if (root === '/') return diskPath;
    if (!diskPath.startsWith(`${root}/`)) return undefined;
    return diskPath.slice(root.length);
  };

  // Paths found so far, by clean path. A lookup that found nothing is not kept.
  const found = new Map<string, Promise<Resolved | undefined>>();
  found.set('/', Promise.resolve({ real: root, info: undefined }));

  /**
   * `realpath` one component at a time, each parent taken from `found`: an entry that is not a
   * link is its parent's real path plus its name (one `lstat`); a link is resolved in full.
   * Like `realpath`, an intermediate link may lead outside the root: only the final path is
   * checked, by `resolveInside`.
   */
  const lookUp = (clean: string): Promise<Resolved | undefined> => {
    const known = found.get(clean);
    if (known) return known;
    const slash = clean.lastIndexOf('/');
    const parent = slash === 0 ? '/' : clean.slice(0, slash);
    const pending = (async (): Promise<Resolved | undefined> => {
      try {
        const resolved = await resolveEntry(
          await lookUp(parent),
          clean.slice(slash + 1),
          lstat,
          realpath,
        );
        // Only what was found is kept: a missing path is looked up again next time.
        if (resolved === undefined) found.delete(clean);
        return resolved;
      } catch (error) {
        found.delete(clean);
        throw error;
      }
    })();
    found.set(clean, pending);
    return pending;
  };

  /** Resolves symlinks and checks the result stays below the root; `undefined` if missing. */
  const resolveInside = async (path: string): Promise<Resolved | undefined> => {
    const diskPath = toDisk(path);
    const resolved = await lookUp(cleanFsPath(path) ?? '/');
    if (resolved === undefined) {
      await refuseDanglingEscape(diskPath, path);
      return undefined;
    }
    if (toFs(resolved.real) === undefined) {
      throw new KustomizeError(
        'SecurityViolation',
        `${cleanFsPath(path) ?? path}: symlink points outside the root directory`,
      );
    }
    return resolved;
  };

  const refuseDanglingEscape = async (diskPath: string, path: string): Promise<void> => {
    const info = await lstat(diskPath).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      throw new KustomizeError('SecurityViolation', `${path}: symlink target does not exist`);
    }
  };

  const notFound = (path: string): KustomizeError =>
    new KustomizeError('ResourceNotFound', `${cleanFsPath(path) ?? path}: no such file`);

  return {
    async readFile(path) {
      const resolved = await resolveInside(path);
      if (resolved === undefined) throw notFound(path);
      return new Uint8Array(await readFile(resolved.real));
    },
    async readDir(path) {
      const resolved = await resolveInside(path);
      if (resolved === undefined) throw notFound(path);
      return (await readdir(resolved.real)).sort();
    },
    async stat(path): Promise<FsEntryStat | undefined> {
      const resolved = await resolveInside(path);
      if (resolved === undefined) return undefined;
      const info = resolved.info ?? (await stat(resolved.real));
      return { isDirectory: info.isDirectory(), size: info.size };
    },
    async realPath(path) {
      const resolved = await resolveInside(path);
      if (resolved === undefined) throw notFound(path);
      return toFs(resolved.real) ?? '/';
    },
  };
}

/** The entry `name` of the directory `dir` (itself resolved); `undefined` if missing. */
async function resolveEntry(
  dir: Resolved | undefined,
  name: string,
  lstat: DiskCalls['lstat'],
  realpath: DiskCalls['realpath'],
): Promise<Resolved | undefined> {
  if (dir === undefined) return undefined;
  const candidate = joinClean(dir.real, `/${name}`);
  try {
    const info = await lstat(candidate);
    if (!info.isSymbolicLink()) return { real: candidate, info };
    return { real: await realpath(candidate), info: undefined };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * `path.join` of a normalized absolute directory and a clean absolute path (`cleanFsPath`):
 * plain concatenation, which skips `path.normalize` (interpreted, cold, in a one-shot CLI).
 */
function joinClean(dir: string, clean: string): string {
  if (clean === '/') return dir;
  return dir === '/' ? clean : `${dir}${clean}`;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
