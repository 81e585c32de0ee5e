import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KustomizeError } from '../errors.ts';
import { cleanFsPath, type FsEntryStat, type KustomizeFs } from './kustomize-fs.ts';

/**
 * A `KustomizeFs` over a directory on disk. Paths are relative to that directory; every access
 * resolves symlinks first and refuses a target outside the directory, so a hostile repository
 * cannot make the engine read `/etc/passwd` through `../` or a link.
 */
export async function createDiskFs(rootDir: string): Promise<KustomizeFs> {
  const root = await realpath(rootDir);

  const toDisk = (path: string): string => {
    const clean = cleanFsPath(path);
    if (clean === undefined) {
      throw new KustomizeError('SecurityViolation', `${path}: path is outside the root directory`);
    }
    return join(root, clean);
  };

  const toFs = (diskPath: string): string | undefined => {
    if (diskPath === root) return '/';
    if (root === '/') return diskPath;
    if (!diskPath.startsWith(`${root}/`)) return undefined;
    return diskPath.slice(root.length);
  };

  /** Resolves symlinks and checks the result stays below the root; `undefined` if missing. */
  const resolveInside = async (path: string): Promise<string | undefined> => {
    const diskPath = toDisk(path);
    let real: string;
    try {
      real = await realpath(diskPath);
    } catch (error) {
      if (isMissing(error)) {
        await refuseDanglingEscape(diskPath, path);
        return undefined;
      }
      throw error;
    }
    if (toFs(real) === undefined) {
      throw new KustomizeError(
        'SecurityViolation',
        `${cleanFsPath(path) ?? path}: symlink points outside the root directory`,
      );
    }
    return real;
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
      const real = await resolveInside(path);
      if (real === undefined) throw notFound(path);
      return new Uint8Array(await readFile(real));
    },
    async readDir(path) {
      const real = await resolveInside(path);
      if (real === undefined) throw notFound(path);
      return (await readdir(real)).sort();
    },
    async stat(path): Promise<FsEntryStat | undefined> {
      const real = await resolveInside(path);
      if (real === undefined) return undefined;
      const info = await stat(real);
      return { isDirectory: info.isDirectory(), size: info.size };
    },
    async realPath(path) {
      const real = await resolveInside(path);
      if (real === undefined) throw notFound(path);
      return toFs(real) ?? '/';
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
