import { KustomizeError } from '../errors.ts';
import { transformerConfigFromCrds } from '../field-spec/crd-config.ts';
import {
  defaultTransformerConfig,
  emptyTransformerConfig,
  mergeTransformerConfig,
  parseTransformerConfig,
  type TransformerConfig,
} from '../field-spec/transformer-config.ts';
import type { KustomizeFs } from '../fs/kustomize-fs.ts';
import { generateResource } from '../generate/generator.ts';
import { parseResources } from '../resource/load-resources.ts';
import type { Resource } from '../resource/resource.ts';
import type { Var } from '../vars/index.ts';
import { recordFileOrigin, recordGeneratorOrigin } from './build-metadata.ts';
import {
  type BuildContext,
  displayPath,
  loadTarget,
  readTargetFile,
  resolveEntry,
  type Target,
} from './loader.ts';
import { setCustomSchema } from './openapi.ts';
import { absorbIndex, absorbResource, appendResources, registeredKeys } from './res-map.ts';
import { runTransformers } from './run-transformers.ts';
import { decodeVar, mergeVarSets, mergeVars } from './vars.ts';

const decoder = new TextDecoder();

/** Whether a resource entry is a remote target kustomize would fetch (git or http). */
function isRemote(path: string): boolean {
  return (
    /^(https?:\/\/|git::|git@|ssh:\/\/|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(path) ||
    path.includes('.git/') ||
    path.includes('?ref=')
  );
}

/** What a build has gathered so far (kustomize's `ResAccumulator`). */
export interface Accumulator {
  resources: Resource[];
  /** Field specs of the built-in transformers, merged up from bases and `configurations`. */
  config: TransformerConfig;
  /** Legacy `vars` defined so far (one name, one definition). */
  vars: Var[];
}

export function emptyAccumulator(): Accumulator {
  return { resources: [], config: emptyTransformerConfig(), vars: [] };
}

/** This kustomization's field specs: the built-in tables, its `configurations` and `crds` files. */
async function ownConfig(ctx: BuildContext, target: Target): Promise<TransformerConfig> {
  let config = defaultTransformerConfig();
  for (const path of target.kustomization.configurations) {
    const text = decoder.decode(await readTargetFile(ctx, target, path));
    config = mergeTransformerConfig(
      config,
      parseTransformerConfig(text, `${target.file}: ${path}`),
    );
  }
  // kustomize merges the `crds` specs after `configurations`, before running generators.
  for (const path of target.kustomization.crds) {
    const text = decoder.decode(await readTargetFile(ctx, target, path));
    config = mergeTransformerConfig(
      config,
      transformerConfigFromCrds(text, `${target.file}: ${path}`),
    );
  }
  return config;
}

/**
 * kustomize's `accumulateTarget`: resources, then field-spec configuration, generators,
 * components and the built-in transformers of this kustomization, over `acc` (empty for a
 * kustomization, the parent's for a component).
 */
export async function accumulateTarget(
  ctx: BuildContext,
  target: Target,
  acc: Accumulator,
): Promise<Accumulator> {
  const k = target.kustomization;
  if (k.unsupported.length > 0) {
    throw new KustomizeError(
      'NotSupported',
      `${target.file}: field '${k.unsupported[0]}' is not supported yet`,
    );
  }
  const resources = acc.resources;
  const keys = registeredKeys(resources);
  for (const entry of k.resources) await accumulateResource(ctx, target, acc, keys, entry);
  acc.config = mergeTransformerConfig(acc.config, await ownConfig(ctx, target));
  const index = absorbIndex(resources);
  for (const args of [...k.configMapGenerator, ...k.secretGenerator]) {
    const generated = await generateResource(
      args,
      (path) => readTargetFile(ctx, target, path),
      target.file,
    );
    recordGeneratorOrigin(ctx, target, generated, `${args.kind}Generator`);
    absorbResource(resources, generated, index);
  }
  let current = acc;
  for (const entry of k.components) {
    const located = await locateDirectory(ctx, target, entry);
    if (located === undefined) {
      throw new KustomizeError(
        'ResourceNotFound',
        `${target.file}: component '${entry}' is not a directory`,
      );
    }
    const component = await loadTarget(ctx, located.fs, located.dir, target);
    await setCustomSchema(ctx, component);
    if (component.kustomization.kind !== 'Component') {
      throw new KustomizeError(
        'InvalidKustomization',
        `${target.file}: expected kind 'Component' for path '${displayPath(component.root)}' but got '${component.kustomization.kind}'`,
      );
    }
    current = await accumulateTarget(ctx, component, current);
  }
  await runTransformers(ctx, target, current.resources, current.config);
  const vars = k.vars.map((raw, i) => decodeVar(raw, `${target.file}: vars[${i}]`));
  await mergeVars(current.vars, current.resources, vars, target.file);
  return current;
}

async function accumulateResource(
  ctx: BuildContext,
  target: Target,
  acc: Accumulator,
  keys: Set<string>,
  entry: string,
): Promise<void> {
  const path = resolveEntry(target, entry);
  const stat = await target.fs.stat(path);
  if (stat === undefined && isRemote(entry)) {
    const located = await locateDirectory(ctx, target, entry);
    if (located === undefined)
      throw new KustomizeError('ResourceNotFound', `${target.file}: '${entry}' not found`);
    await accumulateDirectory(ctx, target, acc, keys, located);
    return;
  }
  if (stat === undefined) {
    throw new KustomizeError(
      'ResourceNotFound',
      `${target.file}: accumulating resources: '${entry}' does not exist`,
    );
  }
  if (!stat.isDirectory) {
    const bytes = await readTargetFile(ctx, target, entry);
    const source = displayPath(await target.fs.realPath(path));
    const parsed = parseResources(decoder.decode(bytes), source, ctx.limits);
    recordFileOrigin(ctx, target, parsed, path);
    appendResources(acc.resources, parsed, keys);
    return;
  }
  await accumulateDirectory(ctx, target, acc, keys, { fs: target.fs, dir: path });
}

/** A base directory: local, or fetched when the entry is a remote URL and a fetcher is given. */
async function locateDirectory(
  ctx: BuildContext,
  target: Target,
  entry: string,
): Promise<{ fs: KustomizeFs; dir: string } | undefined> {
  if (isRemote(entry)) {
    const local = await target.fs.stat(resolveEntry(target, entry)).catch(() => undefined);
    if (local === undefined) {
      if (ctx.fetchRemote === undefined) {
        throw new KustomizeError(
          'NotSupported',
          `${target.file}: remote base '${entry}' needs a fetcher; remote bases are not fetched by default`,
        );
      }
      return ctx.fetchRemote(entry, ctx.signal);
    }
  }
  const dir = resolveEntry(target, entry);
  const stat = await target.fs.stat(dir);
  return stat?.isDirectory ? { fs: target.fs, dir } : undefined;
}

/** A kustomization directory used as a resource: built on its own, then appended. */
async function accumulateDirectory(
  ctx: BuildContext,
  target: Target,
  acc: Accumulator,
  keys: Set<string>,
  located: { fs: KustomizeFs; dir: string },
): Promise<void> {
  const sub = await loadTarget(ctx, located.fs, located.dir, target);
  await setCustomSchema(ctx, sub);
  if (sub.kustomization.kind === 'Component') {
    throw new KustomizeError(
      'InvalidKustomization',
      `${target.file}: expected kind != 'Component' for path '${displayPath(sub.root)}'`,
    );
  }
  const built = await accumulateTarget(ctx, sub, emptyAccumulator());
  appendResources(acc.resources, built.resources, keys);
  acc.config = mergeTransformerConfig(acc.config, built.config);
  mergeVarSets(acc.vars, built.vars, target.file);
}
