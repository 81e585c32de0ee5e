/**
 * Legacy kustomize `vars`: which resource and field each var reads, and the `$(VAR)`
 * substitution in the fields of the `varReference` field specs.
 *
 * The engine runs them as kustomize does: `findVarResource` when a kustomization's vars are
 * merged (remember the var name on that resource), `readVarValue` for every var at the end,
 * then for each resource and each matching `varReferenceFieldSpecs` row, walk the path and
 * call `expandVarsInNode` on each field reached, with the mapping of `makeVarMapping`.
 */
export {
  doReplacements,
  expandVarsInNode,
  formatVarValue,
  makeVarMapping,
  VarError,
  type VarMapping,
  type VarValue,
} from './expand.ts';
export {
  describeVar,
  findVarResource,
  readVarValue,
  type Var,
  type VarResId,
  type VarScope,
  varFieldPath,
  varTargetId,
} from './resolve.ts';
export { varReferenceFieldSpecs } from './var-reference-field-specs.ts';
