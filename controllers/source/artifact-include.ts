import { cp, lstat, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { extract } from 'tar';
import { StorageError } from './artifact-storage.ts';

/**
 * Joins `rel` under `root`, refusing `..` escapes and any existing symlink on the way: a
 * repository can hold symlinks, and a copy through one could write outside the checkout.
 */
export async function secureJoin(root: string, rel: string): Promise<string> {
  const base = resolve(root);
  const full = resolve(base, `./${rel}`);
  if (full !== base && !full.startsWith(base + sep))
    throw new StorageError(`path '${rel}' is outside ${root}`);
  let current = base;
  for (const part of relative(base, full).split(sep).filter(Boolean)) {
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (info === undefined) break;
    if (info.isSymbolicLink()) throw new StorageError(`path '${rel}' goes through a symlink`);
  }
  return full;
}

/**
 * Copies `fromPath` of a stored artifact to `toPath` under `targetRoot`, replacing what is there:
 * Flux's `spec.include` (fromPath defaults to the root, toPath to the included repository's name).
 */
export async function copyArtifactToPath(options: {
  /** Local path of the artifact's .tar.gz. */
  artifactFile: string;
  fromPath?: string;
  targetRoot: string;
  toPath: string;
}): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'kustodian-include-'));
  try {
    // node-tar strips absolute paths and `..` and refuses to write through symlinks.
    await extract({ file: options.artifactFile, cwd: scratch, strict: true, preservePaths: false });
    const source = await secureJoin(scratch, options.fromPath ?? '');
    const info = await stat(source).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new StorageError(
        `include fromPath '${options.fromPath ?? ''}' is not a directory in the artifact`,
      );
    }
    const target = await secureJoin(options.targetRoot, options.toPath);
    if (target === resolve(options.targetRoot))
      throw new StorageError('include toPath cannot be the repository root');
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await cp(source, target, { recursive: true });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
