import { isScalar } from 'yaml';
import { applyFieldSpec, type FieldSpec } from '../field-spec/field-spec.ts';
import { getGvk, originalId, type Resource, storePreviousId } from '../resource/resource.ts';
import { isGvkSelected } from '../resource/resource-id.ts';
import { stringScalar } from '../resource/yaml-node.ts';

// kustomize never prefixes or suffixes these kinds.
const skipped = [
  { kind: 'CustomResourceDefinition' },
  { group: 'apiregistration.k8s.io', kind: 'APIService' },
  { kind: 'Namespace' },
];

export type AffixKind = 'prefix' | 'suffix';

/** kustomize's PrefixTransformer / SuffixTransformer. */
export function addNameAffix(
  resources: Resource[],
  affix: string,
  kind: AffixKind,
  specs: readonly FieldSpec[],
): void {
  if (affix === '') return;
  for (const resource of resources) {
    const id = originalId(resource);
    if (skipped.some((s) => isGvkSelected(id, s))) continue;
    for (const spec of specs) {
      if (!isGvkSelected(id, spec.gvk)) continue;
      if (spec.path === 'metadata/name') {
        if (kind === 'prefix') resource.namePrefixes.push(affix);
        else resource.nameSuffixes.push(affix);
        storePreviousId(resource);
      }
      applyFieldSpec(resource.node, getGvk(resource), spec, 'scalar', (field) => {
        const value =
          isScalar(field.node) && field.node.value !== null
            ? String(field.node.source ?? field.node.value)
            : '';
        field.replace(stringScalar(kind === 'prefix' ? `${affix}${value}` : `${value}${affix}`));
      });
    }
  }
}
