/**
 * kustodian's kustomize engine: builds a kustomization directory exactly as kustomize v5.5.0
 * (`kubectl kustomize`), over a filesystem interface so it can run on an in-memory tree.
 */
export {
  type BuildOptions,
  type BuildResult,
  build,
  printResources,
  type ReorderOption,
} from './build/build.ts';
export type { RemoteFetcher } from './build/loader.ts';
export { KustomizeError, type KustomizeErrorCode } from './errors.ts';
export { createDiskFs, type DiskFsOptions } from './fs/disk-fs.ts';
export type { FsEntryStat, KustomizeFs } from './fs/kustomize-fs.ts';
export { type LoadRestrictor, loadRestrictors } from './fs/load-restrictor.ts';
export { createMemoryFs } from './fs/memory-fs.ts';
export type { Resource } from './resource/resource.ts';
