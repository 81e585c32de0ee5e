import { parse } from 'yaml';
import { type Format, formatForPath } from '../../../sops/index.ts';
import {
  findKustomizationFile,
  isArtifactDir,
  isRemoteRef,
  joinArtifactPath,
  kustomizationFileNames,
} from './artifact-path.ts';

/** How the build uses a file, which decides the SOPS format it is read in. */
export type FileRole = 'resource' | 'patch' | 'generator-file' | 'generator-env';

export interface ReachableFile {
  /** Artifact-relative path. */
  path: string;
  role: FileRole;
  /** The SOPS store to decrypt it with (and to emit the plaintext in). */
  format: Format;
}

type Fields = Record<string, unknown>;

/**
 * Every local file a build of `dir` can read: resources, patches, generator `files` and
 * `envs`, in every kustomization and component reached through `resources`, `bases` and
 * `components`. Remote references and paths leaving the artifact are skipped: the build
 * itself refuses or fetches those. `overrides` supplies file contents (the generated
 * kustomization) that win over the tree's.
 */
export function findReachableFiles(
  files: ReadonlyMap<string, Uint8Array>,
  dir: string,
  overrides: ReadonlyMap<string, string> = new Map(),
): ReachableFile[] {
  const found = new Map<string, ReachableFile>();
  const visited = new Set<string>();
  const add = (path: string | undefined, role: FileRole, format: Format) => {
    if (path !== undefined && files.has(path) && !found.has(path))
      found.set(path, { path, role, format });
  };
  const visit = (current: string) => {
    if (visited.has(current)) return;
    visited.add(current);
    const kfile =
      kustomizationFileNames
        .map((name) => (current === '' ? name : `${current}/${name}`))
        .find((path) => overrides.has(path)) ?? findKustomizationFile(files, current);
    const kus = kfile === undefined ? undefined : readFields(files, overrides, kfile);
    if (kus === undefined) return;
    const local = (ref: unknown): string | undefined =>
      typeof ref === 'string' && ref !== '' && !isRemoteRef(ref)
        ? joinArtifactPath(current, ref)
        : undefined;
    for (const ref of [
      ...strings(kus.resources),
      ...strings(kus.bases),
      ...strings(kus.components),
    ]) {
      const path = local(ref);
      if (path === undefined) continue;
      if (files.has(path)) add(path, 'resource', resourceFormat(path));
      else if (isArtifactDir(files, path)) visit(path);
    }
    for (const patch of [...records(kus.patches), ...records(kus.patchesJson6902)]) {
      const path = local(patch.path);
      if (path !== undefined) add(path, 'patch', resourceFormat(path));
    }
    for (const entry of strings(kus.patchesStrategicMerge)) {
      // An entry is either a file name or an inline patch.
      if (!entry.includes('\n')) {
        const path = local(entry);
        if (path !== undefined) add(path, 'patch', resourceFormat(path));
      }
    }
    for (const generator of [...records(kus.secretGenerator), ...records(kus.configMapGenerator)]) {
      for (const source of strings(generator.files)) {
        // `key=path` or `path`; the key's extension picks the format, as in Flux.
        const eq = source.indexOf('=');
        const key = eq === -1 ? source : source.slice(0, eq);
        const path = local(eq === -1 ? source : source.slice(eq + 1));
        add(path, 'generator-file', generatorFileFormat(key));
      }
      for (const env of [...strings(generator.envs), ...strings([generator.env])]) {
        const format = formatForPath(env);
        add(local(env), 'generator-env', format === 'binary' ? 'dotenv' : format);
      }
    }
  };
  visit(dir);
  return [...found.values()];
}

/** Manifests are YAML whatever their extension, unless it says JSON. */
function resourceFormat(path: string): Format {
  return formatForPath(path) === 'json' ? 'json' : 'yaml';
}

/** Flux reads a `.dockerconfigjson` key as JSON; otherwise by extension, binary by default. */
export function generatorFileFormat(key: string): Format {
  return key.endsWith('.dockerconfigjson') ? 'json' : formatForPath(key);
}

function readFields(
  files: ReadonlyMap<string, Uint8Array>,
  overrides: ReadonlyMap<string, string>,
  path: string,
): Fields | undefined {
  const text = overrides.get(path) ?? Buffer.from(files.get(path) ?? []).toString('utf8');
  try {
    const value: unknown = parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Fields)
      : undefined;
  } catch {
    // The build reports a broken kustomization with kustomize's own message.
    return undefined;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function records(value: unknown): Fields[] {
  return Array.isArray(value)
    ? value.filter((v): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v))
    : [];
}
