/**
 * Patch engines of the kustomize build: strategic merge (kyaml merge2 semantics) and JSON
 * 6902, over yaml (eemeli/yaml v2) resource nodes.
 */
export {
  applyJsonPatch,
  type JsonPatchOperation,
  type JsonPatchOptions,
  parseJsonPatch,
} from './json-patch.ts';
export type { JsonValue } from './json-value.ts';
export type { ListIncreaseDirection } from './merge-walker.ts';
export { applyStrategicMergePatch, type StrategicMergeOptions } from './strategic-merge.ts';
export { cloneNode, PatchError } from './yaml-node.ts';
