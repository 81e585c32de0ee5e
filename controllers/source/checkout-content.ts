import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { type GitCommandContext, runGit } from './git-command.ts';
import { GitError } from './git-error.ts';

/** Flux trims a leading `./` from `spec.sparseCheckout` entries; we also refuse `..`. */
export function normalizeSparseDirs(dirs: readonly string[]): string[] {
  return dirs.map((dir) => {
    const clean = normalize(dir.replace(/^\.\//, '')).replace(/\/+$/, '');
    if (clean === '' || clean === '.' || clean.startsWith('..') || clean.startsWith('/')) {
      throw new GitError(
        'PathNotFound',
        `sparse checkout dir '${dir}' must be a relative path inside the repository`,
      );
    }
    return clean;
  });
}

/**
 * Limits the next checkout to the given directories (non-cone patterns, so files at the root
 * are left out as with Flux's go-git sparse checkout). Must run before `git checkout`.
 */
export async function configureSparseCheckout(
  ctx: GitCommandContext,
  dirs: readonly string[],
): Promise<void> {
  await runGit(ctx, ['config', 'core.sparseCheckout', 'true'], 'configuring sparse checkout');
  await mkdir(join(ctx.cwd, '.git', 'info'), { recursive: true });
  await writeFile(
    join(ctx.cwd, '.git', 'info', 'sparse-checkout'),
    dirs.map((dir) => `/${dir}/\n`).join(''),
  );
}

/** Flux fails a sparse checkout whose directories are not in the commit. */
export async function assertSparseDirsExist(root: string, dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    const info = await stat(join(root, dir)).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new GitError(
        'PathNotFound',
        `sparse checkout dir '${dir}' does not exist in repository`,
      );
    }
  }
}

/**
 * Checks out submodules recursively, shallow, with the same credentials as the parent (as Flux
 * does). Relative submodule URLs resolve against `remote.origin.url`. Local `file://` submodules
 * stay refused because the session sets GIT_PROTOCOL_FROM_USER=0.
 */
export async function updateSubmodules(ctx: GitCommandContext, url: string): Promise<void> {
  await runGit(ctx, ['config', 'remote.origin.url', url], 'recording the remote URL');
  await runGit(
    ctx,
    ['submodule', 'update', '--init', '--recursive', '--depth=1'],
    'updating submodules',
  );
}
