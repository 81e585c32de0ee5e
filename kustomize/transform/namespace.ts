import { isMap, isScalar, isSeq } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { applyFieldSpec, type FieldSpec } from '../field-spec/field-spec.ts';
import {
  currentId,
  getApiVersion,
  getGvk,
  type Resource,
  storePreviousId,
} from '../resource/resource.ts';
import { idKey, idString, isGvkClusterScoped } from '../resource/resource-id.ts';
import { ensureMap, getSeq, getString, setField, stringScalar } from '../resource/yaml-node.ts';

/**
 * kustomize's NamespaceTransformer: sets `metadata.namespace` on every namespaced resource, the
 * namespace fields of the built-in table, and the namespace of RoleBinding/ClusterRoleBinding
 * subjects named `default`.
 */
export function setNamespace(
  resources: Resource[],
  namespace: string,
  specs: readonly FieldSpec[],
): void {
  if (namespace === '') return;
  for (const resource of resources) {
    if (resource.node.items.length === 0) continue;
    storePreviousId(resource);
    const gvk = getGvk(resource);
    const apiVersion = getApiVersion(resource);
    if (!isGvkClusterScoped(gvk)) {
      setField(ensureMap(resource.node, 'metadata'), 'namespace', stringScalar(namespace));
    }
    const isRoleBinding = gvk.kind === 'RoleBinding' || gvk.kind === 'ClusterRoleBinding';
    if (isRoleBinding) setDefaultSubjectsNamespace(resource, namespace);
    for (const spec of specs) {
      if (spec.path === 'metadata/namespace') continue;
      if (spec.path === 'metadata/name' && apiVersion !== 'v1') continue;
      if (
        isRoleBinding &&
        spec.path === 'subjects/namespace' &&
        (spec.gvk.kind === 'RoleBinding' || spec.gvk.kind === 'ClusterRoleBinding')
      )
        continue;
      applyFieldSpec(resource.node, gvk, spec, 'scalar', (field) => {
        if (!isScalar(field.node)) {
          throw new KustomizeError(
            'InvalidResource',
            `${resource.source}: namespace field specs must target scalar nodes`,
          );
        }
        field.replace(stringScalar(namespace));
      });
    }
  }
  const seen = new Set<string>();
  for (const resource of resources) {
    const id = currentId(resource);
    const key = idKey(id);
    if (seen.has(key)) {
      throw new KustomizeError(
        'ResourceConflict',
        `namespace transformation produces ID conflict for ${idString(id)}`,
      );
    }
    seen.add(key);
  }
}

function setDefaultSubjectsNamespace(resource: Resource, namespace: string): void {
  const subjects = getSeq(resource.node, 'subjects');
  if (!subjects || !isSeq(subjects)) return;
  for (const subject of subjects.items) {
    if (!isMap(subject)) continue;
    if (getString(subject, 'name') !== 'default') continue;
    setField(subject, 'namespace', stringScalar(namespace));
  }
}
