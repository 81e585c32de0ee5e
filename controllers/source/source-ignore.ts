import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';

/** The ignore file Flux reads in every directory of a source. */
export const SOURCE_IGNORE_FILE = '.sourceignore';

/**
 * Flux's default excludes (fluxcd/pkg sourceignore): VCS files, then binary/archive extensions,
 * CI configuration and a few tool files. They come first, so `.sourceignore` and `spec.ignore`
 * can re-include any of them with `!pattern`.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.git/',
  '.gitignore',
  '.gitmodules',
  '.gitattributes',
  '*.jpg',
  '*.jpeg',
  '*.gif',
  '*.png',
  '*.wmv',
  '*.flv',
  '*.tar.gz',
  '*.zip',
  '.github/',
  '.circleci/',
  '.travis.yml',
  '.gitlab-ci.yml',
  'appveyor.yml',
  '.drone.yml',
  'cloudbuild.yaml',
  'codeship-services.yml',
  'codeship-steps.yml',
  '**/.goreleaser.yml',
  '**/.sops.yaml',
  '**/.flux.yaml',
];

/** Decides which paths of a source tree are left out of its artifact. */
export interface SourceIgnore {
  /** `path` is relative with `/` separators; directories are tested with `isDir` true. */
  isIgnored(path: string, isDir: boolean): boolean;
}

/** Lines of an ignore file without comments and blanks, as Flux reads them. */
export function parsePatterns(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0 && !line.startsWith('#'));
}

/**
 * Rewrites a pattern from the `.sourceignore` in directory `base` so that it matches from the
 * root, keeping its gitignore meaning: a pattern with an inner slash is anchored to `base`, one
 * without matches at any depth below `base`.
 */
export function scopePattern(base: string, pattern: string): string {
  if (base === '') return pattern;
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const anchored = body.slice(0, -1).includes('/');
  const scoped = anchored ? `${base}/${body.replace(/^\//, '')}` : `${base}/**/${body}`;
  return negated ? `!${scoped}` : scoped;
}

/**
 * Builds the matcher in Flux's order: defaults, then each directory's `.sourceignore` (scoped
 * to that directory, parents before children), then `spec.ignore`. One gitignore rule list, so
 * later patterns override earlier ones and nothing below an excluded directory comes back.
 */
export function createSourceIgnore(options: {
  specIgnore?: string;
  /** `.sourceignore` contents keyed by the directory that holds them ('' for the root). */
  ignoreFiles?: ReadonlyMap<string, string>;
}): SourceIgnore {
  const matcher = ignore({ allowRelativePaths: true }).add([...DEFAULT_EXCLUDES]);
  const dirs = [...(options.ignoreFiles?.keys() ?? [])].sort(
    (a, b) =>
      (a === '' ? 0 : a.split('/').length) - (b === '' ? 0 : b.split('/').length) ||
      a.localeCompare(b),
  );
  for (const dir of dirs) {
    matcher.add(
      parsePatterns(options.ignoreFiles?.get(dir) ?? '').map((p) => scopePattern(dir, p)),
    );
  }
  if (options.specIgnore !== undefined) matcher.add(parsePatterns(options.specIgnore));
  return {
    isIgnored: (path, isDir) => matcher.ignores(isDir ? `${path}/` : path),
  };
}

/** Reads `.sourceignore` at `root/<dir>` for the given directories; missing files are skipped. */
export async function readSourceIgnoreFiles(
  root: string,
  dirs: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    try {
      found.set(dir, await readFile(join(root, dir, SOURCE_IGNORE_FILE), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found;
}
