import { KustomizeError } from '../errors.ts';
import { cleanFsPath, type FsEntryStat, type KustomizeFs } from './kustomize-fs.ts';

/**
 * A `KustomizeFs` over files held in memory, keyed by path (`apps/kustomization.yaml`). The
 * controller overlays decrypted files this way so that plaintext never touches the disk.
 * Directories exist implicitly as parents of files.
 */
export function createMemoryFs(files: Readonly<Record<string, string | Uint8Array>>): KustomizeFs {
  const contents = new Map<string, Uint8Array>();
  const dirs = new Map<string, Set<string>>([['/', new Set()]]);
  const encoder = new TextEncoder();
  for (const [name, content] of Object.entries(files)) {
    const path = cleanFsPath(name);
    if (path === undefined || path === '/') {
      throw new KustomizeError('SecurityViolation', `${name}: path is outside the root directory`);
    }
    contents.set(path, typeof content === 'string' ? encoder.encode(content) : content);
    let child = path;
    while (child !== '/') {
      const parent = child.slice(0, child.lastIndexOf('/')) || '/';
      const entries = dirs.get(parent) ?? new Set<string>();
      entries.add(child.slice(child.lastIndexOf('/') + 1));
      dirs.set(parent, entries);
      child = parent;
    }
  }

  const clean = (path: string): string => {
    const result = cleanFsPath(path);
    if (result === undefined) {
      throw new KustomizeError('SecurityViolation', `${path}: path is outside the root directory`);
    }
    return result;
  };

  return {
    async readFile(path) {
      const content = contents.get(clean(path));
      if (content === undefined) {
        throw new KustomizeError('ResourceNotFound', `${clean(path)}: no such file`);
      }
      return content;
    },
    async readDir(path) {
      const entries = dirs.get(clean(path));
      if (entries === undefined) {
        throw new KustomizeError('ResourceNotFound', `${clean(path)}: no such directory`);
      }
      return [...entries].sort();
    },
    async stat(path): Promise<FsEntryStat | undefined> {
      const key = clean(path);
      const content = contents.get(key);
      if (content !== undefined) return { isDirectory: false, size: content.byteLength };
      return dirs.has(key) ? { isDirectory: true, size: 0 } : undefined;
    },
    async realPath(path) {
      const key = clean(path);
      if (!contents.has(key) && !dirs.has(key)) {
        throw new KustomizeError('ResourceNotFound', `${key}: no such file`);
      }
      return key;
    },
  };
}
