/**
 * One node of the compact patch-metadata table: the subset of an OpenAPI v2 schema that the
 * strategic merge walker needs (kyaml's `ResourceSchema`: properties, additionalProperties,
 * array items, `$ref`, and the patch extensions).
 */
export interface SchemaEntry {
  /** Name of a definition this node stands for (`io.k8s.api.core.v1.PodSpec`). */
  ref?: string;
  /** True when the OpenAPI `type` is exactly `["array"]` (kyaml's `Elements` requires it). */
  array?: true;
  items?: SchemaEntry;
  props?: Record<string, SchemaEntry>;
  /** `additionalProperties`: the schema of every value of a map field. */
  additional?: SchemaEntry;
  /** `x-kubernetes-patch-strategy`, e.g. `merge` or `merge,retainKeys`. */
  strategy?: string;
  /** `x-kubernetes-patch-merge-key`. */
  mergeKey?: string;
  /** `x-kubernetes-list-map-keys`. */
  listMapKeys?: string[];
  /** `x-kubernetes-list-type`: `atomic`, `set` or `map`. */
  listType?: string;
}

/** The compact table: definitions plus the index of resource types (kyaml `schemaByResourceType`). */
export interface PatchMetaTable {
  /** Where the facts come from, e.g. `kube-apiserver v1.35.4 /openapi/v2`. */
  source: string;
  /** `"<apiVersion> <kind>"` (apiVersion as in manifests: `v1`, `apps/v1`) to definition name. */
  resources: Record<string, string>;
  /** `"<apiVersion> <kind>"` to whether the type is namespaced (from the API paths). */
  namespaced: Record<string, boolean>;
  definitions: Record<string, SchemaEntry>;
}
