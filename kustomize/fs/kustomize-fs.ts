/** What a path is, as far as the engine cares. */
export interface FsEntryStat {
  isDirectory: boolean;
  size: number;
}

/**
 * The filesystem the engine reads, addressed with absolute POSIX paths where `/` is the root the
 * caller chose. Implementations never expose anything outside that root.
 */
export interface KustomizeFs {
  /** The bytes of a file; throws a `KustomizeError` when it is missing or outside the root. */
  readFile(path: string): Promise<Uint8Array>;
  /** The entry names of a directory, sorted. */
  readDir(path: string): Promise<string[]>;
  /** What the path is, or `undefined` when nothing is there. */
  stat(path: string): Promise<FsEntryStat | undefined>;
  /** The path with every symlink resolved, still inside the root. */
  realPath(path: string): Promise<string>;
}

/** Normalizes a path to an absolute POSIX path inside the root, refusing `..` above it. */
export function cleanFsPath(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Whether `path` is `dir` or below it. */
export function isPathWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}
