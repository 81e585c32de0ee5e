/** The file names kustomize recognizes as a kustomization, in its order of preference. */
export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Joins `ref` onto the artifact-relative directory `dir` and normalizes it, or returns
 * `undefined` when the result would leave the artifact root. An absolute `ref` counts from the
 * artifact root, as the build's filesystem is rooted there. `''` is the root itself.
 */
export function joinArtifactPath(dir: string, ref: string): string | undefined {
  const parts: string[] = ref.startsWith('/') ? [] : dir.split('/').filter((p) => p !== '');
  for (const part of ref.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Whether `path` is a directory of the tree: some file lives below it. `''` is the root. */
export function isArtifactDir(files: ReadonlyMap<string, unknown>, path: string): boolean {
  if (path === '') return true;
  const prefix = `${path}/`;
  for (const name of files.keys()) if (name.startsWith(prefix)) return true;
  return false;
}

/** The kustomization file of `dir`, when it has one. */
export function findKustomizationFile(
  files: ReadonlyMap<string, unknown>,
  dir: string,
): string | undefined {
  for (const name of kustomizationFileNames) {
    const path = dir === '' ? name : `${dir}/${name}`;
    if (files.has(path)) return path;
  }
  return undefined;
}

/** Whether a reference is a remote URL (kustomize fetches those; they are not in the tree). */
export function isRemoteRef(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(ref) ||
    /^(git@|github\.com\/)/.test(ref) ||
    /^[a-z]+::/.test(ref)
  );
}
