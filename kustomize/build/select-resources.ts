import { FieldReader } from '../kustomization/decode-fields.ts';
import { currentId, originalId, type Resource } from '../resource/resource.ts';
import { effectiveNamespace } from '../resource/resource-id.ts';
import type { TargetSelector } from '../select/index.ts';
import { guard } from './guard.ts';

// Loaded on first use, with the patch engines.
const selectors = () => import('../select/index.ts');

export function decodeSelector(raw: unknown, where: string): TargetSelector {
  const fields = [
    'group',
    'version',
    'kind',
    'name',
    'namespace',
    'labelSelector',
    'annotationSelector',
  ] as const;
  const reader = new FieldReader(raw, fields, where);
  const selector: TargetSelector = {};
  for (const field of fields) {
    const value = reader.string(field);
    if (value !== '') selector[field] = value;
  }
  return selector;
}

/** kustomize's `ResMap.Select`: original or current name and namespace, current gvk, labels. */
export async function selectResources(
  resources: readonly Resource[],
  selector: TargetSelector,
  where: string,
): Promise<Resource[]> {
  const { compileSelector, matchesSelector } = await selectors();
  const compiled = guard(where, () => compileSelector(selector));
  return resources.filter((resource) => {
    const org = originalId(resource);
    const cur = currentId(resource);
    return guard(where, () =>
      matchesSelector(compiled, {
        group: cur.group,
        version: cur.version,
        kind: cur.kind,
        names: [org.name, cur.name],
        namespaces: [effectiveNamespace(org), effectiveNamespace(cur)],
        node: resource.node,
      }),
    );
  });
}
