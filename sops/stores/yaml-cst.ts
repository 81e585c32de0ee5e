import { CST } from 'yaml';
import type { TreeMap, TreeSeq, TreeValue } from '../tree.ts';
import type { Slot } from './yaml-parse.ts';
import { resolvePlain } from './yaml-scalar.ts';

/** The source, for the comment slots of a file with comments (see `Slot` in yaml-parse.ts). */
export interface Layout {
  text: string;
  column(offset: number): number;
}

/** The branches, and with a layout the slot of each branch's root for placing comments. */
export interface PlainYaml {
  branches: TreeMap[];
  roots: Slot[];
}

/**
 * The common case of YAML, read straight from the `yaml` package's CST: block mappings of
 * scalar keys, block sequences and scalars, without anchors, aliases, tags, flow collections
 * or directives, and with comments only in a single document (given a `layout`). Composing a
 * `Document` first (the library's `Composer`) was a third of a cold `sops decrypt`; this skips
 * it.
 *
 * It only takes what the composer would accept without an error, warning or second
 * reading, and answers `undefined` for anything else (including an error to report, a
 * duplicate key or a key that is not a string), so that the full path (`yaml-parse.ts`)
 * decides every case that is not plain: same values, same errors. Scalars are resolved by the
 * library itself (`CST.resolveAsScalar`, the function the composer uses).
 */
export function convertPlainCst(
  tokens: readonly CST.Token[],
  layout?: Layout,
): PlainYaml | undefined {
  const branches: TreeMap[] = [];
  const roots: Slot[] = [];
  for (const token of tokens) {
    if (token.type === 'newline' || (token.type === 'space' && isSpaces(token.source))) continue;
    // A comment between documents: the composer keeps it aside without an error.
    if (token.type === 'comment' && layout !== undefined) continue;
    if (token.type !== 'document') return undefined;
    if (!isDocumentStart(token.start) || !isBlank(token.end, true)) return undefined;
    // Comments are placed by document ranges the CST does not give: one document only.
    if (layout !== undefined && branches.length > 0) return undefined;
    if (token.value === undefined) {
      const branch: TreeMap = { type: 'map', items: [] };
      branches.push(branch);
      roots.push({ column: 0, offsets: [], children: [], node: branch });
      continue;
    }
    if (token.value.type !== 'block-map') return undefined;
    const converted = convertMap(token.value, layout);
    if (converted === undefined) return undefined;
    branches.push(converted.value as TreeMap);
    if (converted.slot) roots.push(converted.slot);
  }
  return { branches, roots };
}

/** Thrown inside the walk to give up; never leaves this module. */
const NOT_PLAIN = Symbol('not plain');

interface Converted {
  value: TreeValue;
  slot: Slot | undefined;
}

function convertMap(map: CST.BlockMap, layout: Layout | undefined): Converted | undefined {
  try {
    return blockMap(map, layout);
  } catch {
    // NOT_PLAIN, or a value sops refuses (an int64 overflow…) that the full path reports in
    // its own order.
    return undefined;
  }
}

function blockMap(map: CST.BlockMap, layout: Layout | undefined): Converted {
  const out: TreeMap = { type: 'map', items: [] };
  const slot: Slot | undefined = layout && { column: 0, offsets: [], children: [], node: out };
  const seen = new Set<string>();
  for (const item of map.items) {
    const { key, sep, value } = item;
    if (!isBlank(item.start, true) || key === undefined || key === null || sep === undefined)
      throw NOT_PLAIN;
    if (!isFlowScalar(key) || key.indent !== map.indent || key.source.includes('\n'))
      throw NOT_PLAIN;
    if (key.end !== undefined && !key.end.every(isSpaceToken)) throw NOT_PLAIN;
    const keyValue = scalar(key);
    // `<<` is a merge key to the library; a repeated key is an error the full path reports.
    if (keyValue.type !== 'str' || keyValue.value === '<<' || seen.has(keyValue.value))
      throw NOT_PLAIN;
    seen.add(keyValue.value);
    if (sep[0]?.type !== 'map-value-ind' || !isBlank(sep.slice(1), false)) throw NOT_PLAIN;
    // A collection must start on a new line (`a: b: c` is an error).
    const isCollection = value?.type === 'block-map' || value?.type === 'block-seq';
    if (isCollection && !sep.some((t) => t.type === 'newline')) throw NOT_PLAIN;
    const converted = node(value, layout);
    out.items.push({ key: keyValue.value, value: converted.value });
    slot?.offsets.push(key.offset);
    slot?.children.push(converted.slot);
  }
  // As the composer's node: the column of the first key.
  if (slot && layout) slot.column = layout.column(slot.offsets[0] ?? map.offset);
  return { value: out, slot };
}

function blockSeq(seq: CST.BlockSequence, layout: Layout | undefined): Converted {
  const out: TreeSeq = { type: 'seq', items: [] };
  const slot: Slot | undefined = layout && {
    column: layout.column(seq.offset),
    offsets: [],
    children: [],
    node: out,
  };
  for (const item of seq.items) {
    const indicator = item.start.findIndex((t) => t.type === 'seq-item-ind');
    if (
      indicator === -1 ||
      !isBlank(item.start.slice(0, indicator), true) ||
      !isBlank(item.start.slice(indicator + 1), false)
    )
      throw NOT_PLAIN;
    // An empty item sits where the composer computes; the full path places comments by it.
    if (item.value === undefined && layout) throw NOT_PLAIN;
    const converted = node(item.value, layout);
    out.items.push(converted.value);
    if (slot && layout && item.value) {
      // As yaml-parse.ts: the dash before the item's start.
      const dash = layout.text.lastIndexOf('-', item.value.offset);
      slot.offsets.push(dash >= seq.offset ? dash : item.value.offset);
      slot.children.push(converted.slot);
    }
  }
  return { value: out, slot };
}

function node(token: CST.Token | undefined, layout: Layout | undefined): Converted {
  if (token === undefined) return { value: resolvePlain('', ''), slot: undefined };
  switch (token.type) {
    case 'block-map':
      return blockMap(token, layout);
    case 'block-seq':
      return blockSeq(token, layout);
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
    case 'block-scalar':
      return { value: scalar(token), slot: undefined };
    default:
      throw NOT_PLAIN;
  }
}

function scalar(token: CST.FlowScalar | CST.BlockScalar): TreeValue {
  let failed = false;
  // strict: false, as the full path composes; any error or warning sends it there.
  const resolved = CST.resolveAsScalar(token, false, () => {
    failed = true;
  });
  if (failed || resolved === null) throw NOT_PLAIN;
  // The error location is only needed by the full path, which recomputes it.
  if (resolved.type === 'PLAIN') return resolvePlain(resolved.value, '');
  return { type: 'str', value: resolved.value };
}

function isFlowScalar(token: CST.Token): token is CST.FlowScalar {
  return (
    token.type === 'scalar' ||
    token.type === 'single-quoted-scalar' ||
    token.type === 'double-quoted-scalar'
  );
}

/** `---` then the end of its line, or nothing. */
function isDocumentStart(start: CST.SourceToken[]): boolean {
  if (start.length === 0) return true;
  return (
    start[0]?.type === 'doc-start' &&
    isBlank(start.slice(1), false) &&
    start.some((t) => t.type === 'newline')
  );
}

/**
 * Only spaces, line breaks and comments, each comment after white space as the composer
 * requires (`atLineStart`: the tokens start a line, so a first comment needs none).
 */
function isBlank(tokens: CST.SourceToken[] | undefined, atLineStart: boolean): boolean {
  if (tokens === undefined) return true;
  let hasSpace = atLineStart;
  for (const token of tokens) {
    if (token.type === 'comment') {
      if (!hasSpace) return false;
      hasSpace = false;
    } else if (token.type === 'newline' || isSpaceToken(token)) hasSpace = true;
    else return false;
  }
  return true;
}

function isSpaceToken(token: CST.SourceToken): boolean {
  return token.type === 'space' && isSpaces(token.source);
}

function isSpaces(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 0x20) return false;
  return true;
}
