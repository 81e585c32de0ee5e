import { compactSwagger, resourceTypeKey } from './compact-swagger.ts';
import builtinTable from './kubernetes-patch-meta.json' with { type: 'json' };
import type { PatchMetaTable, SchemaEntry } from './schema-types.ts';

/** A schema node whose `$ref` has been followed: what kyaml's `ResourceSchema` holds. */
export type ResolvedSchema = Omit<SchemaEntry, 'ref'>;

/** The patch strategy and merge keys of a list field, as kyaml's `PatchStrategyAndKeyList`. */
export interface ListStrategy {
  /** `x-kubernetes-patch-strategy` (may be a comma list such as `merge,retainKeys`), or ''. */
  strategy: string;
  /** `x-kubernetes-list-map-keys` when present, else `[x-kubernetes-patch-merge-key]`, else []. */
  keys: string[];
}

/**
 * Patch metadata for resource types: which list fields merge, and by which keys. Mirrors
 * kyaml's openapi package (Field, Elements, SchemaForResourceType, PatchStrategyAndKeyList).
 */
export class PatchSchema {
  readonly table: PatchMetaTable;

  constructor(table: PatchMetaTable) {
    this.table = table;
  }

  /** Follows `$ref`s as kyaml does; undefined when a reference names no definition. */
  resolve(entry: SchemaEntry): ResolvedSchema | undefined {
    let current: SchemaEntry | undefined = entry;
    const seen = new Set<string>();
    while (current?.ref !== undefined) {
      if (seen.has(current.ref)) return undefined;
      seen.add(current.ref);
      current = this.table.definitions[current.ref];
    }
    return current;
  }

  /** The schema of a resource type, e.g. (`apps/v1`, `Deployment`); undefined if unknown. */
  forResource(apiVersion: string, kind: string): ResolvedSchema | undefined {
    const name = this.table.resources[resourceTypeKey(apiVersion, kind)];
    if (name === undefined) return undefined;
    const definition = this.table.definitions[name];
    return definition === undefined ? undefined : this.resolve(definition);
  }

  /** The schema of a map field: a named property, else the map's value schema. */
  field(schema: ResolvedSchema, name: string): ResolvedSchema | undefined {
    const entry =
      (schema.props && Object.hasOwn(schema.props, name) ? schema.props[name] : undefined) ??
      schema.additional;
    return entry === undefined ? undefined : this.resolve(entry);
  }

  /** The schema of a list's elements; undefined unless the type is exactly `array`. */
  elements(schema: ResolvedSchema): ResolvedSchema | undefined {
    if (schema.array !== true || schema.items === undefined) return undefined;
    return this.resolve(schema.items);
  }

  /**
   * Walks a field path from a resource type; `[]` steps into list elements (kyaml's
   * `Lookup`). Example: `lookup('v1', 'Pod', ['spec', 'containers'])`.
   */
  lookup(apiVersion: string, kind: string, path: readonly string[]): ResolvedSchema | undefined {
    let schema = this.forResource(apiVersion, kind);
    for (const step of path) {
      if (schema === undefined) return undefined;
      schema = step === '[]' ? this.elements(schema) : this.field(schema, step);
    }
    return schema;
  }

  /** Whether a type is namespaced; undefined when the schema does not know the type. */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.table.namespaced[resourceTypeKey(apiVersion, kind)];
  }
}

/** The strategy and keys of a list schema, as kyaml's `PatchStrategyAndKeyList`. */
export function listStrategy(schema: ResolvedSchema): ListStrategy {
  if (schema.strategy === undefined) return { strategy: '', keys: [] };
  if (schema.listMapKeys !== undefined) {
    return { strategy: schema.strategy, keys: [...schema.listMapKeys] };
  }
  return {
    strategy: schema.strategy,
    keys: schema.mergeKey === undefined ? [] : [schema.mergeKey],
  };
}

/** Whether a list merges by element (kyaml `schemaHasMergeStrategy`): the strategy has `merge`. */
export function hasMergeStrategy(schema: ResolvedSchema): boolean {
  return (schema.strategy ?? '').split(',').includes('merge');
}

let builtin: PatchSchema | undefined;

/**
 * The built-in Kubernetes patch metadata, derived from a real kube-apiserver by
 * generate-patch-meta.ts (see the table's `source`).
 */
export function kubernetesPatchSchema(): PatchSchema {
  builtin ??= new PatchSchema(builtinTable as unknown as PatchMetaTable);
  return builtin;
}

/**
 * A custom schema, as given by a kustomization's `openapi: {path: ...}`: an OpenAPI v2
 * document (already parsed from JSON or YAML). Like kustomize, it replaces the built-in
 * Kubernetes schema rather than adding to it. `source` names the file for errors.
 */
export function customPatchSchema(document: unknown, source: string): PatchSchema {
  return new PatchSchema(compactSwagger(document, source));
}
