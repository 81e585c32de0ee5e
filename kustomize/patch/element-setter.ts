import { isMap, isScalar, type YAMLSeq } from 'yaml';
import {
  elements,
  fieldPair,
  fieldValue,
  isEmptyMap,
  isMissingOrNull,
  nodeKind,
  nodeText,
  PatchError,
  type YNode,
} from './yaml-node.ts';

/**
 * kyaml `FieldMatcher{Name: key, StringValue: value}`: with key '' the element is a scalar
 * compared by text; otherwise a map whose `key` field exists and, unless `value` is '',
 * has that text. With `exact`, an empty `value` must match too (kyaml `MatchField`).
 */
function fieldMatches(elem: YNode, key: string, value: string, exact: boolean): boolean {
  if (isMissingOrNull(elem)) return false;
  if (key === '') {
    if (!isScalar(elem)) throw wrongKind('a scalar', elem);
    return nodeText(elem) === value;
  }
  if (!isMap(elem)) throw wrongKind('a map', elem);
  const pair = fieldPair(elem, key);
  if (pair === undefined) return false;
  if (!exact && value === '') return true;
  return nodeText(fieldValue(elem, key)) === value;
}

function wrongKind(expected: string, node: YNode): PatchError {
  return new PatchError(
    'WrongNodeKind',
    `wrong node kind in a merged list: expected ${expected} but got a ${nodeKind(node)}`,
  );
}

/**
 * kyaml `ElementSetter`: drops null and empty-map elements, replaces every element matching
 * all `keys`/`values` with `element` (or removes them when `element` is absent), and
 * appends `element` when none matched.
 */
export function setElement(
  seq: YAMLSeq<unknown>,
  element: YNode | undefined,
  keys: readonly string[],
  values: readonly string[],
): void {
  const setKeys = keys.length === 0 ? [''] : keys;
  const isMappingSetter = setKeys[0] !== '' && values.length > 0 && values[0] !== '';
  const next: YNode[] = [];
  let matched = false;
  for (const elem of elements(seq)) {
    if (isMissingOrNull(elem) || isEmptyMap(elem)) continue;
    if (!isMap(elem) && isMappingSetter) {
      next.push(elem);
      continue;
    }
    let found = true;
    for (let j = 0; j < setKeys.length; j++) {
      // kyaml compares only as many keys as it has values; with no values nothing matches.
      if (j >= values.length) {
        if (j === 0) found = false;
        break;
      }
      if (!fieldMatches(elem, setKeys[j] ?? '', values[j] ?? '', false)) {
        found = false;
        break;
      }
    }
    if (!found) {
      if (values.length > 0) next.push(elem);
      continue;
    }
    matched = true;
    if (element !== undefined) next.push(element);
  }
  seq.items = next;
  if (isMissingOrNull(element)) return;
  if (!matched) seq.items.push(element);
}

/** kyaml `ElementList`: the first element whose `keys` fields have exactly these `values`. */
export function findElement(
  list: YNode | undefined,
  keys: readonly string[],
  values: readonly string[],
): YNode | undefined {
  if (list === undefined || nodeKind(list) !== 'seq') return undefined;
  const items = elements(list);
  if (keys.length === 0 || keys[0] === '') {
    return items.find((elem) => nodeText(elem) === (values[0] ?? ''));
  }
  return items.find((elem) => {
    if (!isMap(elem)) return false;
    return keys.every((key, i) => fieldMatches(elem, key, values[i] ?? '', true));
  });
}

/** kyaml `ElementValuesList`: per element, the text of each key field ('' when empty). */
export function elementKeyValues(list: YNode | undefined, keys: readonly string[]): string[][] {
  if (list === undefined || nodeKind(list) !== 'seq') return [];
  return elements(list).map((elem) =>
    keys.map((key) => {
      const value = isMap(elem) ? fieldValue(elem, key) : undefined;
      // A map or list value reads as '' like go-yaml's `Node.Value`.
      return value === undefined ? '' : nodeText(value);
    }),
  );
}
