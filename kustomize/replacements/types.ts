import type { YAMLMap } from 'yaml';
import type { ResId } from './replacement.ts';

/** Exact id fields of a source, `select` or `reject` (kustomize's inline `resid.ResId`). */
export interface ResIdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** kustomize `types.FieldOptions`. */
export interface FieldOptions {
  delimiter?: string;
  index?: number;
  /** Accepted as kustomize does; kustomize v5.5 does not use it either. */
  encoding?: string;
  create?: boolean;
}

/** kustomize `types.SourceSelector`. */
export interface ReplacementSource extends ResIdSelector {
  /** Defaults to `metadata.name`. */
  fieldPath?: string;
  options?: FieldOptions;
}

/** A selector with label and annotation expressions (kustomize `types.Selector`). */
export interface ReplacementSelector extends ResIdSelector {
  labelSelector?: string;
  annotationSelector?: string;
}

/** kustomize `types.TargetSelector`. */
export interface ReplacementTarget {
  select?: ReplacementSelector;
  reject?: ReplacementSelector[];
  /** Defaults to `[metadata.name]`. */
  fieldPaths?: string[];
  options?: FieldOptions;
}

/** One entry of `replacements:` (inline, or loaded from a `path:` by the caller). */
export interface Replacement {
  source?: ReplacementSource;
  targets?: ReplacementTarget[];
}

/** A resource of the build as replacements see it. */
export interface ResourceRef {
  /** The resource; its current id is read from it each time, as kustomize does. */
  node: YAMLMap<unknown, unknown>;
  /** Ids it had before renames (kustomize's previous-names build annotations), if any. */
  previousIds?: readonly ResId[];
}

export interface ReplacementOptions {
  /**
   * kustomize `ResId.EffectiveNamespace`: `default` for none, a marker for cluster-scoped
   * kinds. Defaults to mapping '' to `default` only; pass the engine's to know scopes.
   */
  effectiveNamespace?: (id: ResId) => string;
}
