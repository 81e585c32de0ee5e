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
  for (const [referrer, list] of referrerFilters(resources, table)) {
    const isCandidate = candidatePredicate(referrer, index);
    for (const filter of list) {
      walkFieldPath(referrer.node, splitFieldPath(filter.path), undefined, (field) => {
        updateReference(field.node, field.replace, referrer, filter, { index, isCandidate });
      });
    }
  }
}

/** A referrer field spec with its place in the table, rows first, then their referrers. */
interface Referral {
  order: number;
  gvk: Partial<Gvk>;
  filter: NameRefFilter;
}

/**
 * The name-reference filters of each resource (a referrer spec selecting its original gvk), in
 * table order, and the resources in the order in which the table first reaches them (table
 * order, then resource order), as a scan of every spec over every resource finds them. Specs
 * are grouped by kind so that a resource is tested only against those that can select it.
 */
function referrerFilters(
  resources: readonly Resource[],
  table: readonly NameBackReference[],
): Map<Resource, NameRefFilter[]> {
  const byKind = new Map<string, Referral[]>();
  const anyKind: Referral[] = [];
  let order = 0;
  for (const row of table) {
    for (const referrer of row.referrers) {
      const referral = {
        order: order++,
        gvk: referrer.gvk,
        filter: { path: referrer.path, target: row.target },
      };
      const kind = referrer.gvk.kind;
      if (!kind) anyKind.push(referral);
      else {
        const list = byKind.get(kind);
        if (list) list.push(referral);
        else byKind.set(kind, [referral]);
      }
    }
  }
  const found: { first: number; at: number; resource: Resource; list: NameRefFilter[] }[] = [];
  resources.forEach((resource, at) => {
    const id = originalId(resource);
    const ofKind = byKind.get(id.kind) ?? [];
    const list: NameRefFilter[] = [];
    let first = -1;
    // Merges the two lists, each in table order.
    for (let i = 0, j = 0; i < ofKind.length || j < anyKind.length; ) {
      const a = ofKind[i];
      const b = anyKind[j];
      const next = (b === undefined || (a !== undefined && a.order < b.order) ? a : b) as Referral;
      if (next === a) i++;
      else j++;
      if (!isGvkSelected(id, next.gvk)) continue;
      if (first < 0) first = next.order;
      list.push(next.filter);
    }
    if (list.length > 0) found.push({ first, at, resource, list });
  });
  found.sort((x, y) => x.first - y.first || x.at - y.at);
  return new Map(found.map((entry) => [entry.resource, entry.list]));
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
