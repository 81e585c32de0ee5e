import type { Node } from 'yaml';
import { type Gvk, isGvkSelected, parseGvkFilter } from '../resource/resource-id.ts';
import type { FieldSpecRow } from './builtin-field-specs.ts';
import { type CreateKind, type FieldVisit, splitFieldPath, walkFieldPath } from './field-path.ts';

/** Which field of which resources a transformer touches (kustomize's `types.FieldSpec`). */
export interface FieldSpec {
  path: string;
  gvk: Partial<Gvk>;
  create: boolean;
}

export function fieldSpecsFromRows(rows: readonly FieldSpecRow[]): FieldSpec[] {
  return rows.map(([path, gvk, create]) => ({
    path,
    gvk: parseGvkFilter(gvk),
    create: create === true,
  }));
}

/**
 * Visits the field `spec` names in `root` if the resource's gvk is selected by it. Missing
 * fields are created only when the spec says `create` and the transformer has a `createKind`
 * (kustomize's image transformer has none, so it never creates).
 */
export function applyFieldSpec(
  root: Node,
  gvk: Gvk,
  spec: FieldSpec,
  createKind: CreateKind | undefined,
  visit: (field: FieldVisit) => void,
): void {
  if (!isGvkSelected(gvk, spec.gvk)) return;
  walkFieldPath(root, splitFieldPath(spec.path), spec.create ? createKind : undefined, visit);
}
