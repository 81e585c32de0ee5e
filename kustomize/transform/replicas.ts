import { Scalar } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { applyFieldSpec, type FieldSpec } from '../field-spec/field-spec.ts';
import { currentId, getGvk, type Resource } from '../resource/resource.ts';
import { gvkString, isGvkSelected } from '../resource/resource-id.ts';

/** One entry of a kustomization's `replicas`. */
export interface ReplicaOverride {
  name: string;
  count: bigint;
}

/** kustomize's ReplicaCountTransformer: matches by any id the resource ever had. */
export function overrideReplicas(
  resources: Resource[],
  replica: ReplicaOverride,
  specs: readonly FieldSpec[],
): void {
  let found = false;
  for (const spec of specs) {
    for (const resource of resources) {
      const ids = [...resource.previousIds, currentId(resource)];
      if (!ids.some((id) => id.name === replica.name && isGvkSelected(id, spec.gvk))) continue;
      found = true;
      applyFieldSpec(resource.node, getGvk(resource), spec, 'scalar', (field) =>
        field.replace(new Scalar(replica.count)),
      );
    }
  }
  if (!found) {
    const gvks = specs.map((s) => gvkString({ group: '', version: '', kind: '', ...s.gvk }));
    throw new KustomizeError(
      'ResourceNotFound',
      `resource with name ${replica.name} does not match a config with the following GVK [${gvks.join(' ')}]`,
    );
  }
}
