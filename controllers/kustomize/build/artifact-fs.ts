import { createMemoryFs, type FsEntryStat, type KustomizeFs } from '../../../kustomize/index.ts';
import type { ArtifactTree } from './fetch-artifact.ts';

/** One indexed filesystem per unpacked tree, shared by every build over it. */
const indexed = new WeakMap<ArtifactTree, KustomizeFs>();

/**
 * The artifact as a kustomize filesystem with some files replaced or added (decrypted
 * plaintext, the generated kustomization.yaml). The tree's index is built once per artifact
 * rather than once per build: a Kustomization of a 2,500-file repository reads a handful of
 * them, and hundreds of Kustomizations share the artifact.
 */
export function artifactFs(
  tree: ArtifactTree,
  overrides: ReadonlyMap<string, Uint8Array | string>,
): KustomizeFs {
  let base = indexed.get(tree);
  if (base === undefined) {
    base = createMemoryFs(Object.fromEntries(tree.files));
    indexed.set(tree, base);
  }
  if (overrides.size === 0) return base;
  return overlayFs(base, overrides);
}

function overlayFs(
  base: KustomizeFs,
  files: ReadonlyMap<string, Uint8Array | string>,
): KustomizeFs {
  const encoder = new TextEncoder();
  const contents = new Map<string, Uint8Array>();
  const added = new Map<string, string[]>();
  for (const [path, content] of files) {
    const key = `/${path}`;
    contents.set(key, typeof content === 'string' ? encoder.encode(content) : content);
    const parent = key.slice(0, key.lastIndexOf('/')) || '/';
    added.set(parent, [...(added.get(parent) ?? []), key.slice(key.lastIndexOf('/') + 1)]);
  }
  // Paths climbing with `..` go to the base, which confines them to the root or refuses them.
  const own = (path: string): string | undefined => {
    if (path.split('/').includes('..')) return undefined;
    const key = `/${path
      .split('/')
      .filter((p) => p !== '' && p !== '.')
      .join('/')}`;
    return contents.has(key) || added.has(key) ? key : undefined;
  };
  return {
    async readFile(path) {
      const key = own(path);
      const content = key === undefined ? undefined : contents.get(key);
      return content ?? base.readFile(path);
    },
    async readDir(path) {
      const key = own(path);
      const extra = key === undefined ? undefined : added.get(key);
      const entries = await base.readDir(path);
      if (extra === undefined) return entries;
      return [...new Set([...entries, ...extra])].sort();
    },
    async stat(path): Promise<FsEntryStat | undefined> {
      const key = own(path);
      const content = key === undefined ? undefined : contents.get(key);
      if (content !== undefined) return { isDirectory: false, size: content.byteLength };
      return base.stat(path);
    },
    async realPath(path) {
      const key = own(path);
      return key !== undefined && contents.has(key) ? key : base.realPath(path);
    },
  };
}
