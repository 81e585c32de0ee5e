import { isCollection, isScalar, Pair, Scalar, type YAMLMap } from 'yaml';
import {
  clearField,
  fieldPair,
  isMissingOrNull,
  isYaml11NonString,
  nodeText,
  type YNode,
} from './yaml-node.ts';

/**
 * Null nodes that must survive a merge: a `null`/`~` written in the target that the patch
 * does not mention (kyaml `MakePersistentNullNode` with `ShouldKeep`).
 */
const persistentNulls = new WeakSet<Scalar<unknown>>();

export function keepNull(node: Scalar<unknown>): Scalar<unknown> {
  persistentNulls.add(node);
  return node;
}

function isDroppedNull(node: YNode): boolean {
  return isMissingOrNull(node) && !persistentNulls.has(node as Scalar<unknown>);
}

/**
 * Copies the style of the value being replaced onto the new value, as kyaml's `FieldSetter`.
 * go-yaml then writes a non-string scalar in a quoted or block style as a string, so such a
 * value becomes a string here (the reason `replicas: "3"` patched with `5` yields `"5"`).
 */
function takeStyle(next: YNode, previous: YNode): YNode {
  if (isScalar(previous) && isScalar(next)) {
    const style = previous.type;
    if (style !== undefined && style !== 'PLAIN' && typeof next.value !== 'string') {
      const text = new Scalar(nodeText(next));
      text.type = style;
      return text;
    }
    const kept = style === 'PLAIN' || style === undefined ? plainOrKept(next) : style;
    if (kept !== undefined) next.type = kept;
    return next;
  }
  if (isCollection(previous) && isCollection(next)) next.flow = previous.flow ?? false;
  return next;
}

/** A string written plain keeps its type through go-yaml (the tag wins), so keep its quotes. */
function plainOrKept(next: Scalar<unknown>): Scalar['type'] {
  return typeof next.value === 'string' && next.type !== 'PLAIN' ? next.type : 'PLAIN';
}

/**
 * kyaml `FieldSetter{Name, Value, AppendKeyStyle}`: clears the field for an absent or null
 * value, replaces the first entry with that key in place, or appends a new entry.
 */
export function setField(
  map: YAMLMap<unknown, unknown>,
  name: string,
  value: YNode | undefined,
  appendKeyStyle?: Scalar['type'],
): void {
  if (value === undefined || isDroppedNull(value)) {
    clearField(map, name);
    return;
  }
  let next = value;
  if (isScalar(next) && typeof next.value === 'string' && isPlain(next)) {
    if (isYaml11NonString(next.value)) next.type = 'QUOTE_DOUBLE';
  }
  const existing = fieldPair(map, name);
  if (existing !== undefined) {
    const previous = existing.value;
    if (
      previous !== null &&
      previous !== undefined &&
      (isScalar(previous) || isCollection(previous))
    ) {
      next = takeStyle(next, previous as YNode);
    }
    existing.value = next;
    return;
  }
  const key = new Scalar(name);
  if (appendKeyStyle !== undefined) key.type = appendKeyStyle;
  map.items.push(new Pair(key, next));
}

function isPlain(node: Scalar<unknown>): boolean {
  return node.type === undefined || node.type === 'PLAIN';
}
