import { KustomizeError } from '../errors.ts';
import type { KustomizeFs } from '../fs/kustomize-fs.ts';
import { isPathWithin } from '../fs/kustomize-fs.ts';
import { checkFileLoad, type LoadRestrictor } from '../fs/load-restrictor.ts';
import { type Kustomization, parseKustomization } from '../kustomization/kustomization.ts';
import type { LoadLimits } from '../resource/load-resources.ts';
import type { PatchSchema } from '../schema/index.ts';
import type { BuildMetadata } from './build-metadata.ts';

/** kustomize's recognized kustomization file names, in its order. */
export const kustomizationFileNames = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
] as const;

/** What every target of one build shares. */
export interface BuildContext {
  fs: KustomizeFs;
  restrictor: LoadRestrictor;
  limits: LoadLimits;
  /** Targets loaded so far, to bound runaway recursion. */
  targetsLoaded: number;
  maxTargets: number;
  signal: AbortSignal | undefined;
  fetchRemote: RemoteFetcher | undefined;
  /**
   * The custom `openapi: {path}` schema of the build, used by every strategic merge from the
   * moment it is set (kustomize keeps it in one global; see openapi.ts).
   */
  schema: PatchSchema | undefined;
  /** The built kustomization's `buildMetadata` (set once it is loaded). */
  buildMetadata: BuildMetadata;
}

/**
 * Brings a remote base (a git or http URL as written in `resources` or `components`) into a
 * filesystem of its own; without one, remote bases are refused.
 */
export type RemoteFetcher = (
  url: string,
  signal: AbortSignal | undefined,
) => Promise<{ fs: KustomizeFs; dir: string }>;

/** One kustomization directory being built (kustomize's `KustTarget` with its loader). */
export interface Target {
  /** Real path of the directory, inside the filesystem root. */
  root: string;
  /** The kustomization file, for messages (`apps/kustomization.yaml`). */
  file: string;
  kustomization: Kustomization;
  /** The filesystem this target lives in (a remote base brings its own). */
  fs: KustomizeFs;
  /** Roots of the targets that led here, this one last, with their filesystems. */
  chain: { fs: KustomizeFs; root: string }[];
}

const decoder = new TextDecoder();

/**
 * A path of a kustomization entry, relative to its directory. An entry climbing above the
 * filesystem root is refused (resolving would silently clamp it at the root); an absolute
 * entry counts from the filesystem root.
 */
export function resolveEntry(target: Target, entry: string): string {
  const parts = entry.startsWith('/') ? [] : target.root.split('/').filter((p) => p !== '');
  for (const part of entry.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) {
        throw new KustomizeError(
          'SecurityViolation',
          `${target.file}: '${entry}' is outside the filesystem root`,
        );
      }
      parts.pop();
    } else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Reads a file of a target with the load restrictor applied; paths are relative to its root. */
export async function readTargetFile(
  ctx: BuildContext,
  target: Target,
  path: string,
): Promise<Uint8Array> {
  ctx.signal?.throwIfAborted();
  const full = resolveEntry(target, path);
  const stat = await target.fs.stat(full);
  if (stat === undefined || stat.isDirectory) {
    throw new KustomizeError('ResourceNotFound', `${target.file}: file '${path}' not found`);
  }
  const real = await target.fs.realPath(full);
  checkFileLoad(ctx.restrictor, target.root, real);
  if (stat.size > ctx.limits.maxFileBytes) {
    throw new KustomizeError(
      'LimitExceeded',
      `${real}: file is larger than ${ctx.limits.maxFileBytes} bytes`,
    );
  }
  return target.fs.readFile(real);
}

/** `posix.join` of a clean absolute directory (a `realPath`) and a file name, without normalizing. */
function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function displayPath(path: string): string {
  return path === '/' ? '.' : path.slice(1);
}

/** Loads the kustomization in `dir`; `parent` is the target referring to it, if any. */
export async function loadTarget(
  ctx: BuildContext,
  fs: KustomizeFs,
  dir: string,
  parent: Target | undefined,
): Promise<Target> {
  ctx.signal?.throwIfAborted();
  if (++ctx.targetsLoaded > ctx.maxTargets) {
    throw new KustomizeError(
      'LimitExceeded',
      `${displayPath(dir)}: more than ${ctx.maxTargets} kustomizations in one build`,
    );
  }
  const root = await fs.realPath(dir);
  if (parent) {
    const cycle = parent.chain.find(
      (visited) => visited.fs === fs && isPathWithin(visited.root, root),
    )?.root;
    if (cycle !== undefined) {
      throw new KustomizeError(
        'InvalidKustomization',
        `${parent.file}: cycle detected: candidate root '${displayPath(root)}' contains visited root '${displayPath(cycle)}'`,
      );
    }
  }
  const found: string[] = [];
  for (const name of kustomizationFileNames) {
    const stat = await fs.stat(childPath(root, name));
    if (stat !== undefined && !stat.isDirectory) found.push(name);
  }
  if (found.length === 0) {
    throw new KustomizeError(
      'MissingKustomization',
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${displayPath(root)}'`,
    );
  }
  if (found.length > 1) {
    throw new KustomizeError(
      'InvalidKustomization',
      `Found multiple kustomization files under: ${displayPath(root)}`,
    );
  }
  const file = childPath(root, found[0] as string);
  const stat = await fs.stat(file);
  if (stat && stat.size > ctx.limits.maxFileBytes) {
    throw new KustomizeError(
      'LimitExceeded',
      `${displayPath(file)}: file is larger than ${ctx.limits.maxFileBytes} bytes`,
    );
  }
  const text = decoder.decode(await fs.readFile(file));
  const kustomization = parseKustomization(text, displayPath(file));
  return {
    root,
    file: displayPath(file),
    kustomization,
    fs,
    chain: [...(parent?.chain ?? []), { fs, root }],
  };
}
