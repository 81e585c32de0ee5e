/** kustomize `replacements`: copy a field of one resource into fields of others. */
export { lookupField, ReplacementError, splitFieldPath } from './field-path.ts';
export { applyReplacements, type ResId } from './replacement.ts';
export type {
  FieldOptions,
  Replacement,
  ReplacementOptions,
  ReplacementSelector,
  ReplacementSource,
  ReplacementTarget,
  ResIdSelector,
  ResourceRef,
} from './types.ts';
