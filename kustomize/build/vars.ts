import { KustomizeError } from '../errors.ts';
import { applyFieldSpec, type FieldSpec, fieldSpecsFromRows } from '../field-spec/field-spec.ts';
import { mergeFieldSpecs } from '../field-spec/transformer-config.ts';
import { FieldReader } from '../kustomization/decode-fields.ts';
import { currentId, getGvk, type Resource } from '../resource/resource.ts';
import { effectiveNamespace, isGvkClusterScoped } from '../resource/resource-id.ts';
import type { Var, VarValue } from '../vars/index.ts';
import { guard } from './guard.ts';

const scope = { effectiveNamespace, isClusterScoped: isGvkClusterScoped };

/** Decodes one `vars` entry as Go's JSON decoder fills kustomize's `types.Var`. */
export function decodeVar(raw: unknown, where: string): Var {
  const reader = new FieldReader(raw, ['name', 'objref', 'fieldref'], where);
  const objref = new FieldReader(
    reader.raw('objref'),
    ['apiVersion', 'group', 'version', 'kind', 'name', 'namespace'],
    `${where}.objref`,
  );
  const fieldref = new FieldReader(reader.raw('fieldref'), ['fieldPath'], `${where}.fieldref`);
  const v: Var = {
    name: reader.string('name'),
    objref: {
      apiVersion: objref.string('apiVersion'),
      group: objref.string('group'),
      version: objref.string('version'),
      kind: objref.string('kind'),
      name: objref.string('name'),
      namespace: objref.string('namespace'),
    },
  };
  const fieldPath = fieldref.string('fieldPath');
  if (fieldPath !== '') v.fieldref = { fieldPath };
  return v;
}

/**
 * kustomize's `MergeVars`: each var remembers the resource it reads (by its ids now or
 * before); a var name may be defined once in a whole build.
 */
export async function mergeVars(
  vars: Var[],
  resources: readonly Resource[],
  incoming: readonly Var[],
  where: string,
): Promise<void> {
  if (incoming.length === 0) return;
  const { findVarResource } = await import('../vars/index.ts');
  const ids = resources.map((r) => [currentId(r), ...r.previousIds]);
  for (const v of incoming) {
    const index = guard(where, () => findVarResource(v, ids, scope));
    if (index !== undefined) resources[index]?.varNames.push(v.name);
  }
  mergeVarSets(vars, incoming, where);
}

/** Adds vars, refusing a name already defined (kustomize's `VarSet.MergeSlice`). */
export function mergeVarSets(vars: Var[], incoming: readonly Var[], where: string): void {
  for (const v of incoming) {
    if (vars.some((known) => known.name === v.name)) {
      throw new KustomizeError(
        'InvalidKustomization',
        `${where}: var '${v.name}' already encountered`,
      );
    }
    vars.push(v);
  }
}

/** kustomize's `ResolveVars`: read every var, then substitute `$(NAME)` in the varReference fields. */
export async function resolveVars(
  resources: readonly Resource[],
  vars: readonly Var[],
  specs: readonly FieldSpec[],
): Promise<void> {
  if (vars.length === 0) return;
  const { expandVarsInNode, makeVarMapping, readVarValue, varReferenceFieldSpecs } = await import(
    '../vars/index.ts'
  );
  // The built-in varReference rows, then any from `configurations`.
  const allSpecs = mergeFieldSpecs(fieldSpecsFromRows(varReferenceFieldSpecs), specs);
  const values = new Map<string, VarValue>();
  for (const v of [...vars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const resource = resources.find((r) => r.varNames.includes(v.name));
    if (resource === undefined) {
      throw new KustomizeError(
        'InvalidKustomization',
        `var '${v.name}' cannot be mapped to a field in the set of known resources`,
      );
    }
    const value = guard(resource.source, () => readVarValue(v, resource.node));
    if (value !== undefined) values.set(v.name, value);
  }
  const { mapping } = makeVarMapping(values);
  for (const resource of resources) {
    const gvk = getGvk(resource);
    for (const spec of allSpecs) {
      applyFieldSpec(resource.node, gvk, spec, undefined, (field) =>
        guard(resource.source, () => expandVarsInNode(field.node, mapping)),
      );
    }
  }
}
