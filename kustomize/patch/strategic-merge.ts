import { isMap, type YAMLMap } from 'yaml';
import { kubernetesPatchSchema, type PatchSchema } from '../schema/index.ts';
import { type ListIncreaseDirection, walk } from './merge-walker.ts';
import { cloneNode } from './yaml-node.ts';

/** Options of {@link applyStrategicMergePatch}. */
export interface StrategicMergeOptions {
  /** Patch metadata; defaults to the built-in Kubernetes schema (a custom `openapi:` replaces it). */
  schema?: PatchSchema;
  /**
   * Where new elements of merged lists go. kustomize's patch transformer prepends (the patch's
   * elements first, then the resource's others); kyaml's default is append.
   */
  listIncreaseDirection?: ListIncreaseDirection;
}

/**
 * Applies a strategic merge patch to one resource exactly as kustomize v5.5 does (kyaml
 * merge2 via the walker, the `patchstrategicmerge` filter): maps merge, `null` clears a
 * field, lists with a `merge` patch strategy merge by their keys, other lists are replaced,
 * and `$patch: delete|replace|merge` is honoured on maps, lists and list elements.
 *
 * Like kustomize (and unlike `kubectl patch`), the other directives (`$setElementOrder/…`,
 * `$retainKeys`, `$deleteFromPrimitiveList/…`) are not interpreted: they are merged in as
 * ordinary fields. Merged maps also lose fields whose value is empty (`key:`), while an
 * explicit `null` or `~` written in the resource is kept.
 *
 * `resource` is modified in place; `patch` is not (a copy is merged). Returns the patched
 * resource, or undefined when the patch deletes it. A root `$patch: replace` leaves the
 * resource as it was, as in kustomize. The caller restores the resource's name, namespace and kind where kustomize
 * does (`Resource.ApplySmPatch`).
 *
 * @throws PatchError when a patch node's kind conflicts with the resource's (a map against a
 *   list, …) or a `$patch` value is unknown.
 */
export function applyStrategicMergePatch(
  resource: YAMLMap<unknown, unknown>,
  patch: YAMLMap<unknown, unknown>,
  options: StrategicMergeOptions = {},
): YAMLMap<unknown, unknown> | undefined {
  const ctx = {
    schema: options.schema ?? kubernetesPatchSchema(),
    listIncreaseDirection: options.listIncreaseDirection ?? 'prepend',
  };
  const result = walk(ctx, { dest: resource, origin: cloneNode(patch) }, undefined, []);
  if (result === undefined || !isMap(result)) return undefined;
  // kustomize keeps only in-place changes of the resource (Resource.ApplyFilter): a root
  // `$patch: replace` yields the patch as a new node, which kustomize drops.
  return resource;
}
