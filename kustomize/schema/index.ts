/**
 * Kubernetes OpenAPI patch metadata for strategic merge: merge keys, patch strategies and
 * list types per resource type and field, from a real kube-apiserver or a custom schema.
 */
export { compactSwagger, resourceTypeKey, SchemaFormatError } from './compact-swagger.ts';
export {
  customPatchSchema,
  hasMergeStrategy,
  kubernetesPatchSchema,
  type ListStrategy,
  listStrategy,
  PatchSchema,
  type ResolvedSchema,
} from './patch-schema.ts';
export type { PatchMetaTable, SchemaEntry } from './schema-types.ts';
