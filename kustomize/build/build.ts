import { isMap, isScalar, YAMLMap } from 'yaml';
import { emitGoYaml } from '../emit/go-yaml-emitter.ts';
import { nodeToJson } from '../emit/node-to-json.ts';
import { KustomizeError } from '../errors.ts';
import type { KustomizeFs } from '../fs/kustomize-fs.ts';
import type { LoadRestrictor } from '../fs/load-restrictor.ts';
import { contentHash } from '../generate/content-hash.ts';
import { FieldReader } from '../kustomization/decode-fields.ts';
import { defaultLoadLimits, type LoadLimits } from '../resource/load-resources.ts';
import { getName, type Resource, setName, storePreviousId } from '../resource/resource.ts';
import {
  deleteField,
  findPair,
  getMap,
  getString,
  scalarKey,
  setField,
  stringScalar,
} from '../resource/yaml-node.ts';
import { accumulateTarget, emptyAccumulator } from './accumulate.ts';
import { decodeBuildMetadata, writeBuildMetadata } from './build-metadata.ts';
import { defaultLegacySortOptions, type LegacySortOptions, sortLegacy } from './legacy-order.ts';
import { type BuildContext, loadTarget, type RemoteFetcher } from './loader.ts';
import { fixNameReferences } from './name-reference.ts';
import { setCustomSchema } from './openapi.ts';
import { resolveVars } from './vars.ts';

/** `--reorder`: kustomize's legacy kind order, or the order resources were read in. */
export type ReorderOption = 'legacy' | 'none';

export interface BuildOptions {
  /** Default `legacy`, as `kubectl kustomize`; Flux uses `none`. */
  reorder?: ReorderOption;
  /** Default `LoadRestrictionsRootOnly`, as `kubectl kustomize`. */
  loadRestrictor?: LoadRestrictor;
  limits?: Partial<LoadLimits>;
  /** Most kustomization directories one build may load (default 10,000). */
  maxTargets?: number;
  /** Stops the build between file reads. */
  signal?: AbortSignal;
  /** Fetches remote bases; without it a remote base is refused (`NotSupported`). */
  fetchRemote?: RemoteFetcher;
  /**
   * The version in the `app.kubernetes.io/managed-by: kustomize-<version>` label written for
   * `buildMetadata: [managedByLabel]`. Default `(devel)`, what `kubectl kustomize` prints.
   */
  kustomizeVersion?: string;
}

export interface BuildResult {
  /** The built resources, in output order. */
  resources: Resource[];
  /** The multi-document YAML `kubectl kustomize` prints for them. */
  yaml: string;
}

/**
 * Builds the kustomization in `dir` (an absolute path inside `fs`) as `kubectl kustomize`
 * (kustomize v5.5.0) does, returning the resources and the exact YAML it prints.
 */
export async function build(
  fs: KustomizeFs,
  dir: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const ctx: BuildContext = {
    fs,
    restrictor: options.loadRestrictor ?? 'LoadRestrictionsRootOnly',
    limits: { ...defaultLoadLimits, ...options.limits },
    targetsLoaded: 0,
    maxTargets: options.maxTargets ?? 10_000,
    signal: options.signal,
    fetchRemote: options.fetchRemote,
    schema: undefined,
    buildMetadata: decodeBuildMetadata(undefined),
  };
  const stat = await fs.stat(dir);
  if (stat === undefined || !stat.isDirectory) {
    throw new KustomizeError(
      'MissingKustomization',
      `${dir}: must build at directory: not a valid directory`,
    );
  }
  const target = await loadTarget(ctx, fs, dir, undefined);
  ctx.buildMetadata = decodeBuildMetadata(target);
  await setCustomSchema(ctx, target);
  const {
    resources: accumulated,
    config,
    vars,
  } = await accumulateTarget(ctx, target, emptyAccumulator());
  addHashSuffixes(accumulated);
  fixNameReferences(accumulated, config.nameReference);
  await resolveVars(accumulated, vars, config.varReference);
  const kept = accumulated.filter((r) => !isLocalConfig(r));
  const managedBy = `kustomize-${options.kustomizeVersion ?? '(devel)'}`;
  for (const resource of kept) {
    writeBuildMetadata(ctx.buildMetadata, resource, managedBy);
    stringifyAnnotations(resource);
  }
  const order = decodeSortOptions(target.kustomization.sortOptions, target.file);
  // sortOptions in the kustomization wins over the --reorder flag, as in kustomize.
  const reorder = options.reorder ?? 'legacy';
  const ordered =
    order === 'fifo'
      ? kept
      : order !== undefined
        ? sortLegacy(kept, order)
        : reorder === 'legacy'
          ? sortLegacy(kept)
          : kept;
  return { resources: ordered, yaml: printResources(ordered) };
}

/** `sortOptions`: `fifo`, or `legacy` with optional kind lists. */
function decodeSortOptions(raw: unknown, where: string): 'fifo' | LegacySortOptions | undefined {
  if (raw === undefined || raw === null) return undefined;
  const reader = new FieldReader(raw, ['order', 'legacySortOptions'], `${where}: sortOptions`);
  const order = reader.string('order');
  if (order !== 'fifo' && order !== 'legacy') {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: the field 'sortOptions.order' must be one of [fifo, legacy]`,
    );
  }
  if (order === 'fifo') {
    if (reader.has('legacySortOptions')) {
      throw new KustomizeError(
        'InvalidKustomization',
        `${where}: the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'`,
      );
    }
    return 'fifo';
  }
  if (!reader.has('legacySortOptions')) return defaultLegacySortOptions;
  const lists = new FieldReader(
    reader.raw('legacySortOptions'),
    ['orderFirst', 'orderLast'],
    `${where}: sortOptions.legacySortOptions`,
  );
  return { orderFirst: lists.strings('orderFirst'), orderLast: lists.strings('orderLast') };
}

function addHashSuffixes(resources: Resource[]): void {
  for (const resource of resources) {
    if (!resource.generator?.needsHashSuffix) continue;
    const hash = contentHash(resource);
    storePreviousId(resource);
    setName(resource, `${getName(resource)}-${hash}`);
  }
}

/**
 * kustomize ends every build by rewriting `metadata.annotations` through `map[string]string`
 * (`RemoveBuildAnnotations`, `RemoveOriginAnnotations`): each value becomes a string of its raw
 * text (`~`, `True` and `0o17` stay as written, but quoted), keys sorted, the last of duplicate
 * keys kept, and an empty (or null) annotations field is removed.
 */
function stringifyAnnotations(resource: Resource): void {
  const metadata = getMap(resource.node, 'metadata');
  const pair = metadata && findPair(metadata, 'annotations');
  if (metadata === undefined || pair === undefined) return;
  const entries = new Map<string, string>();
  if (isMap(pair.value)) {
    for (const entry of pair.value.items) {
      const key = scalarKey(entry);
      if (key === undefined) continue;
      const value = entry.value;
      entries.set(key, isScalar(value) ? String(value.source ?? value.value ?? '') : '');
    }
  }
  if (entries.size === 0) {
    deleteField(metadata, 'annotations');
    return;
  }
  const rewritten = new YAMLMap();
  for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    setField(rewritten, key, stringScalar(value));
  }
  setField(metadata, 'annotations', rewritten);
}

function isLocalConfig(resource: Resource): boolean {
  const annotations = getMap(getMap(resource.node, 'metadata') ?? resource.node, 'annotations');
  return (
    annotations !== undefined &&
    getString(annotations, 'config.kubernetes.io/local-config') === 'true'
  );
}

/** The documents joined by `---`, as kustomize's `AsYaml`. */
export function printResources(resources: readonly Resource[]): string {
  return resources.map((r) => emitGoYaml(nodeToJson(r.node, r.source))).join('---\n');
}
