import { posix } from 'node:path';
import { KustomizeError } from '../errors.ts';
import type { Origin, Resource } from '../resource/resource.ts';
import { ensureMap, setField, stringScalar } from '../resource/yaml-node.ts';
import type { BuildContext, Target } from './loader.ts';

/** What the built kustomization's `buildMetadata` asks for; bases inherit it, as in kustomize. */
export interface BuildMetadata {
  origin: boolean;
  transformers: boolean;
  managedBy: boolean;
  /** Directory paths in annotations are relative to this (the built kustomization's root). */
  root: string;
}

/**
 * Decodes the built kustomization's `buildMetadata`. Options in a base are ignored, and so
 * are unknown options, as kustomize does.
 */
export function decodeBuildMetadata(target: Target | undefined): BuildMetadata {
  const options = target?.kustomization.buildMetadata ?? [];
  return {
    origin: options.includes('originAnnotations'),
    transformers: options.includes('transformerAnnotations'),
    managedBy: options.includes('managedByLabel'),
    root: target?.root ?? '/',
  };
}

function relativeToBuild(ctx: BuildContext, target: Target, path: string): string {
  if (target.fs !== ctx.fs) {
    throw new KustomizeError(
      'NotSupported',
      `${target.file}: buildMetadata origin and transformer annotations are not supported for remote bases`,
    );
  }
  return posix.relative(ctx.buildMetadata.root, path) || '.';
}

/** Where kustomize says a kustomization file is (`configuredIn`), relative to the build. */
function configuredIn(ctx: BuildContext, target: Target): string {
  return relativeToBuild(ctx, target, `/${target.file}`);
}

/** Marks resources read from `path` (absolute in the target's filesystem) with their origin. */
export function recordFileOrigin(
  ctx: BuildContext,
  target: Target,
  resources: readonly Resource[],
  path: string,
): void {
  if (!ctx.buildMetadata.origin) return;
  const origin: Origin = { path: relativeToBuild(ctx, target, path) };
  for (const resource of resources) resource.origin = origin;
}

/** Marks a generated resource with the generator kind and kustomization that made it. */
export function recordGeneratorOrigin(
  ctx: BuildContext,
  target: Target,
  resource: Resource,
  kind: string,
): void {
  if (!ctx.buildMetadata.origin) return;
  resource.origin = { configuredIn: configuredIn(ctx, target), kind };
}

/**
 * Records that a built-in transformer of `target` ran: kustomize lists it on every resource
 * present at the time, whether or not it changed that resource.
 */
export function recordTransformer(
  ctx: BuildContext,
  target: Target,
  resources: readonly Resource[],
  kind: string,
  times = 1,
): void {
  if (!ctx.buildMetadata.transformers || times === 0) return;
  const origin: Origin = { configuredIn: configuredIn(ctx, target), kind };
  for (const resource of resources) {
    resource.transformations ??= [];
    for (let i = 0; i < times; i++) resource.transformations.push(origin);
  }
}

/** The YAML text kustomize writes for one origin (go-yaml of its `Origin` struct). */
function originYaml(origin: Origin, indent: string): string {
  if ('path' in origin) return `${indent}path: ${origin.path}\n`;
  return [
    `configuredIn: ${origin.configuredIn}`,
    'configuredBy:',
    '  apiVersion: builtin',
    `  kind: ${origin.kind}`,
  ]
    .map((line, i) => `${i === 0 ? indent : indent.replace('-', ' ')}${line}\n`)
    .join('');
}

/**
 * Writes the requested annotations and label into a built resource, after name hashing (so
 * they do not change generated names), as kustomize does at the end of a build.
 */
export function writeBuildMetadata(
  metadata: BuildMetadata,
  resource: Resource,
  managedBy: string,
): void {
  const meta = ensureMap(resource.node, 'metadata');
  if (metadata.origin && resource.origin !== undefined) {
    const annotations = ensureMap(meta, 'annotations');
    setField(
      annotations,
      'config.kubernetes.io/origin',
      stringScalar(originYaml(resource.origin, '')),
    );
  }
  if (metadata.transformers && resource.transformations?.length) {
    const annotations = ensureMap(meta, 'annotations');
    const text = resource.transformations.map((o) => originYaml(o, '- ')).join('');
    setField(annotations, 'alpha.config.kubernetes.io/transformations', stringScalar(text));
  }
  if (metadata.managedBy) {
    setField(ensureMap(meta, 'labels'), 'app.kubernetes.io/managed-by', stringScalar(managedBy));
  }
}
