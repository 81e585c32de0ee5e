import type { TransformerConfig } from '../field-spec/transformer-config.ts';
import type { Replacement } from '../replacements/index.ts';
import type { Resource } from '../resource/resource.ts';
import { effectiveNamespace } from '../resource/resource-id.ts';
import { overrideImages } from '../transform/images.ts';
import { labelFieldSpecs, setMapFields } from '../transform/labels.ts';
import { addNameAffix } from '../transform/name-affix.ts';
import { setNamespace } from '../transform/namespace.ts';
import { overrideReplicas } from '../transform/replicas.ts';
import { recordTransformer } from './build-metadata.ts';
import { guard } from './guard.ts';
import { type BuildContext, readTargetFile, type Target } from './loader.ts';
import { runPatches, runPatchesJson6902, runPatchesStrategicMerge } from './patches.ts';
import { loadReplacements } from './replacements-loader.ts';

/**
 * kustomize's built-in transformers of one kustomization, in kustomize's order
 * (`configureBuiltinTransformers`): strategic merge patches, patches, namespace, prefix,
 * suffix, labels, annotations, JSON 6902 patches, replicas, images, replacements.
 */
export async function runTransformers(
  ctx: BuildContext,
  target: Target,
  resources: Resource[],
  config: TransformerConfig,
): Promise<void> {
  const k = target.kustomization;
  const read = (path: string) => readTargetFile(ctx, target, path);
  const ran = (kind: string, times = 1) => recordTransformer(ctx, target, resources, kind, times);
  if (k.patchesStrategicMerge.length > 0) {
    await runPatchesStrategicMerge(
      resources,
      k.patchesStrategicMerge,
      read,
      target.file,
      ctx.schema,
    );
    ran('PatchStrategicMergeTransformer');
  }
  await runPatches(resources, k.patches, read, target.file, ctx.schema);
  ran('PatchTransformer', k.patches.length);
  setNamespace(resources, k.namespace, config.namespace);
  if (k.namespace !== '') ran('NamespaceTransformer');
  addNameAffix(resources, k.namePrefix, 'prefix', config.namePrefix);
  if (k.namePrefix !== '') ran('PrefixTransformer');
  addNameAffix(resources, k.nameSuffix, 'suffix', config.nameSuffix);
  if (k.nameSuffix !== '') ran('SuffixTransformer');
  for (const label of k.labels) {
    const specs = guard(target.file, () => labelFieldSpecs(label, config));
    setMapFields(resources, label.pairs, specs);
    ran('LabelTransformer');
  }
  setMapFields(resources, k.commonLabels, config.commonLabels);
  if (k.commonLabels.size > 0) ran('LabelTransformer');
  setMapFields(resources, k.commonAnnotations, config.commonAnnotations);
  if (k.commonAnnotations.size > 0) ran('AnnotationsTransformer');
  await runPatchesJson6902(resources, k.patchesJson6902, read, target.file);
  ran('PatchJson6902Transformer', k.patchesJson6902.length);
  for (const replica of k.replicas) {
    overrideReplicas(resources, replica, config.replicas);
    ran('ReplicaCountTransformer');
  }
  for (const image of k.images) {
    overrideImages(resources, image, config.images);
    ran('ImageTagTransformer');
  }
  if (k.replacements.length > 0) {
    const replacements = (await loadReplacements(
      k.replacements,
      read,
      target.file,
    )) as Replacement[];
    const { applyReplacements } = await import('../replacements/index.ts');
    guard(target.file, () => applyReplacements(resources, replacements, { effectiveNamespace }));
    ran('ReplacementTransformer');
  }
}
