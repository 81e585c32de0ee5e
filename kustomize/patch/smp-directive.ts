import { isMap, isSeq, type YAMLSeq } from 'yaml';
import {
  clearField,
  fieldValue,
  isEmptyMap,
  nodeKind,
  nodeText,
  PatchError,
  type YNode,
} from './yaml-node.ts';

/** The `$patch` directive of a patch node (kyaml merge2 `smpDirective`). */
export type SmpDirective = 'merge' | 'replace' | 'delete';

const directiveKey = '$patch';

function parseDirective(value: string, path: string): SmpDirective {
  if (value === 'merge' || value === 'replace' || value === 'delete') return value;
  throw new PatchError('InvalidPatch', `${path}: unknown patch strategy '${value}'`);
}

/**
 * Reads and removes the `$patch` directive of a patch node, as kyaml's
 * `determineSmpDirective`: on a map, its `$patch` field; on a list, the first element that
 * is a map holding only `$patch`. An absent node means merge.
 */
export function takeSmpDirective(patch: YNode | undefined, path: string): SmpDirective {
  if (patch === undefined) return 'merge';
  if (isMap(patch)) {
    const value = fieldValue(patch, directiveKey);
    if (value === undefined) return 'merge';
    const directive = parseDirective(nodeText(value), path);
    clearField(patch, directiveKey);
    return directive;
  }
  if (isSeq(patch)) return takeSequenceDirective(patch, path);
  throw new PatchError(
    'InvalidPatch',
    `${path}: no implemented strategic merge patch strategy for a ${nodeKind(patch)}`,
  );
}

function takeSequenceDirective(patch: YAMLSeq<unknown>, path: string): SmpDirective {
  const holder = patch.items.find((item) => isMap(item) && fieldValue(item as YNode, directiveKey));
  // A `$patch` beside other fields belongs to that element, not to the list.
  if (!isMap(holder) || holder.items.length > 1) return 'merge';
  const value = nodeText(fieldValue(holder as YNode, directiveKey));
  const directive = parseDirective(value, path);
  // kyaml elides with an ElementSetter, which also drops null and empty-map elements.
  patch.items = patch.items.filter((item) => {
    const node = item as YNode;
    if (isEmptyMap(node)) return false;
    if (!isMap(node)) return true;
    const field = fieldValue(node, directiveKey);
    return field === undefined || nodeText(field) !== value;
  });
  return directive;
}
