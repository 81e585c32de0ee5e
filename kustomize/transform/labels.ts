import { applyFieldSpec, type FieldSpec } from '../field-spec/field-spec.ts';
import { mergeFieldSpecs, type TransformerConfig } from '../field-spec/transformer-config.ts';
import { getGvk, type Resource } from '../resource/resource.ts';
import { setMapEntries } from './set-map-entries.ts';

/** One entry of a kustomization's `labels`. */
export interface LabelSet {
  pairs: Map<string, string>;
  includeSelectors: boolean;
  includeTemplates: boolean;
  fields: FieldSpec[];
}

/** The field specs kustomize's label transformer gets for one `labels` entry. */
export function labelFieldSpecs(label: LabelSet, config: TransformerConfig): FieldSpec[] {
  const specs = mergeFieldSpecs(label.fields, config.labels);
  if (label.includeSelectors) return mergeFieldSpecs(specs, config.commonLabels);
  const withTemplates = label.includeTemplates
    ? mergeFieldSpecs(specs, config.templateLabels)
    : specs;
  return mergeFieldSpecs(withTemplates, [{ path: 'metadata/labels', gvk: {}, create: true }]);
}

/** kustomize's LabelTransformer / AnnotationsTransformer: set every pair at every field. */
export function setMapFields(
  resources: Resource[],
  pairs: ReadonlyMap<string, string>,
  specs: readonly FieldSpec[],
): void {
  if (pairs.size === 0) return;
  for (const resource of resources) {
    const gvk = getGvk(resource);
    for (const spec of specs) {
      applyFieldSpec(resource.node, gvk, spec, 'map', (field) =>
        setMapEntries(field, pairs, resource.source),
      );
    }
  }
}
