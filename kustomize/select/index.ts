/**
 * Target selectors of the kustomize build (patch `target`, replacement `select`/`reject`):
 * anchored regular expressions on group, version, kind, name and namespace, and Kubernetes
 * label/annotation selector expressions.
 */
export {
  matchesRequirements,
  parseLabelSelector,
  type Requirement,
  SelectorError,
} from './label-selector.ts';
export {
  type CompiledSelector,
  compileSelector,
  matchesSelector,
  readStringMap,
  type SelectCandidate,
  type TargetSelector,
} from './target-selector.ts';
