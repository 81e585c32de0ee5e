import { parse } from 'yaml';
import { KustomizeError } from '../errors.ts';
import type { PatchSchema } from '../schema/index.ts';
import { type BuildContext, readTargetFile, type Target } from './loader.ts';

const decoder = new TextDecoder();

/**
 * Sets the build's custom schema from a kustomization's `openapi: {path: ...}`, as kyaml's
 * global `openapi.SetSchema`: the built kustomization's schema is read first; otherwise the
 * first base or component (in load order) naming one sets it, and it then replaces the
 * built-in Kubernetes schema for every strategic merge that runs afterwards, in that base,
 * in later siblings and in the overlays above. Patches that already ran keep their result.
 */
export async function setCustomSchema(ctx: BuildContext, target: Target): Promise<void> {
  if (ctx.schema !== undefined) return;
  ctx.schema = await loadCustomSchema(ctx, target);
}

async function loadCustomSchema(
  ctx: BuildContext,
  target: Target,
): Promise<PatchSchema | undefined> {
  const openapi = target.kustomization.openapi;
  if (openapi.size === 0) return undefined;
  const other = [...openapi.keys()].find((key) => key !== 'path');
  if (other !== undefined) {
    throw new KustomizeError(
      'NotSupported',
      `${target.file}: field 'openapi.${other}' is not supported; give a schema file with 'openapi.path'`,
    );
  }
  const path = openapi.get('path') ?? '';
  const source = `${target.file}: openapi.path ${path}`;
  const text = decoder.decode(await readTargetFile(ctx, target, path));
  let document: unknown;
  try {
    // kyaml reads the schema as JSON, or else as YAML; YAML 1.2 covers both.
    document = parse(text);
  } catch (error) {
    throw new KustomizeError(
      'InvalidKustomization',
      `${source}: not a JSON or YAML document: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const { customPatchSchema, SchemaFormatError } = await import('../schema/index.ts');
  try {
    return customPatchSchema(document, source);
  } catch (error) {
    if (error instanceof SchemaFormatError)
      throw new KustomizeError('InvalidKustomization', error.message);
    throw error;
  }
}
