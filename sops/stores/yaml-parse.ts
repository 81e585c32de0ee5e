import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  type Node,
  Parser,
} from 'yaml';
import { SopsError } from '../errors.ts';
import type { TreeMap, TreeSeq, TreeValue } from '../tree.ts';
import { utf8Text } from './utf8-text.ts';
import { placeComments } from './yaml-comments.ts';
import { convertPlainCst } from './yaml-cst.ts';
import { readYamlLines } from './yaml-lines.ts';
import { resolvePlain, resolveTagged } from './yaml-scalar.ts';

// go-yaml refuses documents whose aliases expand too much; so do we (YAML bombs).
const MAX_ALIAS_NODES = 100_000;

/** Where a collection sits in the source, to place comments the way go-yaml attaches them. */
export interface Slot {
  column: number;
  /** Start offsets of the items, parallel to the collection's `items`. */
  offsets: number[];
  /** For each item, the slot of its collection value (if any). */
  children: Array<Slot | undefined>;
  node: TreeMap | TreeSeq;
}

export class Converter {
  private aliasBudget = MAX_ALIAS_NODES;
  private readonly text: string;
  private readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    this.lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
      this.lineStarts.push(i + 1);
  }

  line(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  column(offset: number): number {
    return offset - (this.lineStarts[this.line(offset)] ?? 0);
  }

  where(offset: number | undefined): string {
    return offset === undefined ? 'in an alias' : `line ${this.line(offset) + 1}`;
  }

  convert(
    node: Node | null | undefined,
    inAlias: boolean,
  ): { value: TreeValue; slot: Slot | undefined } {
    if (inAlias && --this.aliasBudget < 0)
      throw new SopsError('InvalidInput', 'document contains excessive aliasing');
    if (node === null || node === undefined) return { value: { type: 'null' }, slot: undefined };
    if (isAlias(node)) {
      const target = this.doc ? node.resolve(this.doc) : undefined;
      if (!target) throw new SopsError('InvalidInput', `unknown alias "${node.source}"`);
      return { value: this.convert(target as Node, true).value, slot: undefined };
    }
    if (isScalar(node)) {
      // The yaml library marks a `<<` key with a symbol; sops keeps it as an ordinary key.
      const text = typeof node.value === 'symbol' ? '<<' : String(node.value);
      const where = this.where(node.range?.[0]);
      if (node.tag && node.tag !== '!')
        return { value: resolveTagged(text, node.tag, where), slot: undefined };
      if (node.type === 'PLAIN' && node.tag !== '!')
        return { value: resolvePlain(text, where), slot: undefined };
      return { value: { type: 'str', value: text }, slot: undefined };
    }
    const start = node.range?.[0] ?? 0;
    if (isMap(node)) {
      const map: TreeMap = { type: 'map', items: [] };
      const slot: Slot = { column: this.column(start), offsets: [], children: [], node: map };
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = this.convert(keyNode, inAlias).value;
        const keyOffset = keyNode?.range?.[0] ?? start;
        if (key.type !== 'str') {
          throw new SopsError(
            'InvalidInput',
            `${this.where(keyOffset)}: mapping key is not a string; sops supports string keys only`,
          );
        }
        const value = this.convert(pair.value as Node | null, inAlias);
        map.items.push({ key: key.value, value: value.value });
        slot.offsets.push(keyOffset);
        slot.children.push(value.slot);
      }
      if (map.items.length > 0) slot.column = this.column(slot.offsets[0] ?? start);
      return { value: map, slot: inAlias ? undefined : slot };
    }
    if (isSeq(node)) {
      const seq: TreeSeq = { type: 'seq', items: [] };
      const slot: Slot = { column: this.column(start), offsets: [], children: [], node: seq };
      for (const item of node.items) {
        const value = this.convert(item as Node | null, inAlias);
        seq.items.push(value.value);
        // The dash precedes the item's own range; search back to it for the item's start.
        const itemStart = (item as Node | null)?.range?.[0] ?? start;
        const dash = this.text.lastIndexOf('-', itemStart);
        slot.offsets.push(dash >= start ? dash : itemStart);
        slot.children.push(value.slot);
      }
      return { value: seq, slot: inAlias ? undefined : slot };
    }
    throw new SopsError('InvalidInput', 'unsupported YAML node');
  }

  doc: Document | undefined;
}

export interface RawComment {
  offset: number;
  text: string;
  fullLine: boolean;
}

/**
 * Lexes the text once, feeding the parser and picking out the comments on the way (the
 * documents the library composes do not say where each comment sits).
 */
export function tokenize(text: string): { tokens: CST.Token[]; comments: RawComment[] } {
  const parser = new Parser();
  const tokens: CST.Token[] = [];
  const comments: RawComment[] = [];
  let offset = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    // Control tokens (\x02, \x1d…) are zero-width markers, not source text.
    if (lexeme.length === 1 && lexeme.charCodeAt(0) < 0x20 && lexeme !== '\n' && lexeme !== '\t')
      continue;
    if (lexeme.startsWith('#')) {
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      comments.push({
        offset,
        text: lexeme.slice(1),
        fullLine: text.slice(lineStart, offset).trim() === '',
      });
    }
    offset += lexeme.length;
  }
  for (const token of parser.end()) tokens.push(token);
  return { tokens, comments };
}

export function parseYaml(bytes: Uint8Array): TreeMap[] {
  const text = utf8Text(bytes);
  const lines = readLinesYaml(text);
  if (lines !== undefined) return lines;
  const { tokens, comments } = tokenize(text);
  return readPlainYaml(text, tokens, comments) ?? composeYaml(text, tokens, comments);
}

/**
 * The fastest path, for most files: read line by line (yaml-lines.ts), comments placed as the
 * token paths place them; `undefined` for the others.
 */
export function readLinesYaml(text: string): TreeMap[] | undefined {
  const read = readYamlLines(text);
  if (read === undefined) return undefined;
  const { root, comments } = read;
  if (root && comments.length > 0) placeComments(root, comments, new Converter(text));
  return read.branches;
}

/**
 * The fast path: most files need no composed document (yaml-cst.ts says which); `undefined`
 * for the others.
 */
export function readPlainYaml(
  text: string,
  tokens: readonly CST.Token[],
  comments: readonly RawComment[],
): TreeMap[] | undefined {
  if (comments.length === 0) return convertPlainCst(tokens)?.branches;
  const conv = new Converter(text);
  const plain = convertPlainCst(tokens, { text, column: (offset) => conv.column(offset) });
  if (plain === undefined) return undefined;
  const [root] = plain.roots;
  if (root) placeComments(root, comments, conv);
  return plain.branches;
}

/** The full path: the library composes documents, which are converted and given comments. */
export function composeYaml(
  text: string,
  tokens: readonly CST.Token[],
  comments: readonly RawComment[],
): TreeMap[] {
  const docs = Array.from(
    new Composer({
      schema: 'failsafe',
      uniqueKeys: true,
      prettyErrors: false,
      strict: false,
    }).compose(tokens),
  );
  const conv = new Converter(text);
  const branches: TreeMap[] = [];
  let previousEnd = 0;
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      throw new SopsError(
        'InvalidInput',
        `invalid YAML${at}: ${error.code === 'DUPLICATE_KEY' ? 'duplicate mapping key' : error.code.toLowerCase().replaceAll('_', ' ')}`,
      );
    }
    conv.doc = doc;
    const contents = doc.contents as Node | null;
    if (contents && isSeq(contents))
      throw new SopsError('InvalidInput', 'YAML documents that are sequences are not supported');
    const converted = conv.convert(contents, false);
    if (converted.value.type !== 'map' && converted.value.type !== 'null') {
      throw new SopsError('InvalidInput', 'YAML documents that are values are not supported');
    }
    const branch: TreeMap =
      converted.value.type === 'map' ? converted.value : { type: 'map', items: [] };
    const root: Slot = converted.slot ?? { column: 0, offsets: [], children: [], node: branch };
    const start = previousEnd;
    const end = index === docs.length - 1 ? text.length + 1 : doc.range[2];
    previousEnd = end;
    placeComments(
      root,
      comments.filter((c) => c.offset >= start && c.offset < end),
      conv,
    );
    branches.push(branch);
  }
  return branches;
}
