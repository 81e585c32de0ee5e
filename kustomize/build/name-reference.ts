import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { splitFieldPath, walkFieldPath } from '../field-spec/field-path.ts';
import type { NameBackReference } from '../field-spec/transformer-config.ts';
import {
  currentId,
  getKind,
  getName,
  getNamespace,
  originalId,
  type Resource,
} from '../resource/resource.ts';
import {
  effectiveNamespace,
  type Gvk,
  idString,
  isGvkClusterScoped,
  isGvkSelected,
  type ResourceId,
} from '../resource/resource-id.ts';
import { getMap, getSeq, getString, setField, stringScalar } from '../resource/yaml-node.ts';

interface NameRefFilter {
  path: string;
  target: Partial<Gvk>;
}

/** Ids of every resource, computed once: names do not change while references are fixed. */
interface RefIndex {
  current: Map<Resource, ResourceId>;
  /** Resources by each name they had before a rename, in resource order. */
  byPreviousName: Map<string, Resource[]>;
  resources: readonly Resource[];
}

function indexResources(resources: readonly Resource[]): RefIndex {
  const current = new Map<Resource, ResourceId>();
  const byPreviousName = new Map<string, Resource[]>();
  for (const resource of resources) {
    current.set(resource, currentId(resource));
    for (const name of new Set(resource.previousIds.map((id) => id.name))) {
      const list = byPreviousName.get(name) ?? [];
      list.push(resource);
      byPreviousName.set(name, list);
    }
  }
  return { current, byPreviousName, resources };
}

/**
 * kustomize's name-reference transformer (`FixBackReferences`): after every rename (prefix,
 * suffix, hash, namespace), fields that name another resource follow it, using the ids each
 * resource had before.
 */
export function fixNameReferences(
  resources: readonly Resource[],
  table: readonly NameBackReference[],
): void {
  const index = indexResources(resources);
  const filters = new Map<Resource, NameRefFilter[]>();
  for (const row of table) {
    for (const referrer of row.referrers) {
      for (const resource of resources) {
        if (!isGvkSelected(originalId(resource), referrer.gvk)) continue;
        const list = filters.get(resource) ?? [];
        list.push({ path: referrer.path, target: row.target });
        filters.set(resource, list);
      }
    }
  }
  for (const [referrer, list] of filters) {
    const isCandidate = candidatePredicate(referrer, index);
    for (const filter of list) {
      walkFieldPath(referrer.node, splitFieldPath(filter.path), undefined, (field) => {
        updateReference(field.node, field.replace, referrer, filter, { index, isCandidate });
      });
    }
  }
}

interface Candidates {
  index: RefIndex;
  /** kustomize's `SubsetThatCouldBeReferencedByResource`, as a test. */
  isCandidate: (resource: Resource) => boolean;
  /** Narrowed to one namespace by a map reference's `namespace` field. */
  namespace?: (resource: Resource) => boolean;
}

function candidatePredicate(referrer: Resource, index: RefIndex): (resource: Resource) => boolean {
  const referrerId = index.current.get(referrer) ?? currentId(referrer);
  if (isGvkClusterScoped(referrerId)) return () => true;
  const referrerNamespace = effectiveNamespace(referrerId);
  const roleBindingNamespaces = new Set<string>();
  if (getKind(referrer) === 'RoleBinding') {
    for (const subject of getSeq(referrer.node, 'subjects')?.items ?? []) {
      if (!isMap(subject)) continue;
      const namespace = getString(subject, 'namespace');
      if (namespace !== undefined && getString(subject, 'kind') === 'ServiceAccount') {
        roleBindingNamespaces.add(namespace);
      }
    }
  }
  return (candidate) => {
    const id = index.current.get(candidate) ?? currentId(candidate);
    if (isGvkClusterScoped(id)) return true;
    if (effectiveNamespace(id) === referrerNamespace) return true;
    return roleBindingNamespaces.has(id.namespace);
  };
}

function updateReference(
  node: Node,
  replace: (node: Node) => void,
  referrer: Resource,
  filter: NameRefFilter,
  candidates: Candidates,
): void {
  if (isScalar(node)) {
    if (node.value === null) return;
    setScalar(node, replace, referrer, filter, candidates);
  } else if (isMap(node)) {
    setMapping(node, referrer, filter, candidates);
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      if (isScalar(item)) {
        if (item.value === null) return;
        setScalar(item, (next) => (node.items[index] = next), referrer, filter, candidates);
      } else if (isMap(item)) setMapping(item, referrer, filter, candidates);
      else if (item !== null) {
        throw new KustomizeError(
          'InvalidResource',
          `${referrer.source}: name reference must be a string or a map`,
        );
      }
    });
  }
}

function scalarText(node: Node): string {
  return isScalar(node) ? String(node.source ?? node.value ?? '') : '';
}

function setScalar(
  node: Node,
  replace: (n: Node) => void,
  referrer: Resource,
  filter: NameRefFilter,
  candidates: Candidates,
): void {
  const oldName = scalarText(node);
  const referral = selectReferral(oldName, candidates, referrer, filter, (rs) =>
    rs.every((r) => getName(r) === getName(rs[0] as Resource)),
  );
  if (referral === undefined || getName(referral) === oldName) return;
  replace(stringScalar(getName(referral)));
}

function setMapping(
  node: YAMLMap,
  referrer: Resource,
  filter: NameRefFilter,
  candidates: Candidates,
): void {
  const nameNode = node.items.find((p) => isScalar(p.key) && p.key.value === 'name');
  if (nameNode === undefined) {
    throw new KustomizeError(
      'InvalidResource',
      `${referrer.source}: path config error; no 'name' field in node`,
    );
  }
  let pool = candidates;
  if (node.items.some((p) => isScalar(p.key) && p.key.value === 'namespace')) {
    // kustomize groups candidates by original namespace, else by current namespace.
    const ns = getString(node, 'namespace') ?? '';
    const inNamespace = (id: ResourceId) =>
      !isGvkClusterScoped(id) && effectiveNamespace(id) === ns;
    const byOriginal = candidates.index.resources.some(
      (r) => candidates.isCandidate(r) && inNamespace(originalId(r)),
    );
    pool = {
      ...candidates,
      namespace: byOriginal
        ? (r) => inNamespace(originalId(r))
        : (r) => inNamespace(candidates.index.current.get(r) ?? currentId(r)),
    };
  }
  const oldName = scalarText(nameNode.value as Node);
  const referral = selectReferral(oldName, pool, referrer, filter, (rs) =>
    rs.every(
      (r) =>
        getName(r) === getName(rs[0] as Resource) &&
        getNamespace(r) === getNamespace(rs[0] as Resource),
    ),
  );
  if (referral === undefined) return;
  if (getName(referral) === oldName && getNamespace(referral) === '') return;
  setField(node, 'name', stringScalar(getName(referral)));
  if (getNamespace(referral) !== '')
    setField(node, 'namespace', stringScalar(getNamespace(referral)));
}

function sameEndingSubSlice(a: readonly string[], b: readonly string[]): boolean {
  const [shortest, longest] = a.length <= b.length ? [a, b] : [b, a];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  return shortest.every((value, i) => longest[i + diff] === value);
}

function affixesEqual(r: Resource, other: Resource, allowEmpty: boolean): boolean {
  const prefixOk =
    (allowEmpty && (r.namePrefixes.length === 0 || other.namePrefixes.length === 0)) ||
    sameEndingSubSlice(r.namePrefixes, other.namePrefixes);
  const suffixOk =
    (allowEmpty && (r.nameSuffixes.length === 0 || other.nameSuffixes.length === 0)) ||
    sameEndingSubSlice(r.nameSuffixes, other.nameSuffixes);
  return prefixOk && suffixOk;
}

function roleRefGvk(referrer: Resource): Partial<Gvk> | undefined {
  const roleRef = getMap(referrer.node, 'roleRef');
  if (roleRef === undefined) return undefined;
  const group = getString(roleRef, 'apiGroup');
  const kind = getString(roleRef, 'kind');
  if (group === undefined || kind === undefined) return undefined;
  return { group, kind };
}

/** kustomize's `selectReferral`: sieve the candidates down to one, or fail when ambiguous. */
function selectReferral(
  oldName: string,
  candidates: Candidates,
  referrer: Resource,
  filter: NameRefFilter,
  identical: (rs: Resource[]) => boolean,
): Resource | undefined {
  const { index, isCandidate, namespace } = candidates;
  let list = (index.byPreviousName.get(oldName) ?? []).filter(
    (r) => isCandidate(r) && (namespace === undefined || namespace(r)),
  );
  list = list.filter((r) => r.previousIds.some((id) => isGvkSelected(id, filter.target)));
  if (filter.path.endsWith('roleRef/name')) {
    const gvk = roleRefGvk(referrer);
    if (gvk) list = list.filter((r) => r.previousIds.some((id) => isGvkSelected(id, gvk)));
  }
  const referrerId = index.current.get(referrer) ?? currentId(referrer);
  if (!isGvkClusterScoped(referrerId)) {
    list = list.filter((r) => {
      const id = index.current.get(r) ?? currentId(r);
      return (
        isGvkClusterScoped(id) ||
        getKind(r) === 'ServiceAccount' ||
        effectiveNamespace(id) === effectiveNamespace(referrerId)
      );
    });
  }
  if (list.length === 1) return list[0];
  list = list.filter((r) => affixesEqual(r, referrer, true));
  if (list.length > 1) list = list.filter((r) => affixesEqual(r, referrer, false));
  if (list.length === 1) return list[0];
  if (list.length === 0) return undefined;
  if (identical(list)) return list[0];
  throw new KustomizeError(
    'ResourceConflict',
    `${referrer.source}: found multiple possible referrals: ${list.map((r) => idString(currentId(r))).join(', ')}`,
  );
}
