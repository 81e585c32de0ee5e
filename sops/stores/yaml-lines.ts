import type { MapItem, TreeMap, TreeSeq, TreeValue } from '../tree.ts';
import { doubleQuoted, fail, isSpaces, singleQuoted, trimEnd } from './yaml-line-scalars.ts';
import type { RawComment, Slot } from './yaml-parse.ts';
import { resolvePlain } from './yaml-scalar.ts';

/** What {@link readYamlLines} read: the branches, and what `parseYaml` needs to place comments. */
export interface LinesYaml {
  branches: TreeMap[];
  /** The comments, in order (only in a file of one document). */
  comments: RawComment[];
  /** The slot of the document's mapping, when there are comments to place. */
  root: Slot | undefined;
}

/**
 * The commonest YAML, read line by line with native string search: block mappings with plain
 * or quoted keys, block sequences (`- a`, `- key: value`), single-line plain and quoted
 * scalars, literal block scalars (`|`, `|-`: sops's own `enc: |` age stanzas), comments and
 * `---` documents. Every run of the CLI is a cold process; the `yaml` package's
 * generator-based lexer was the largest part of a cold `sops decrypt`, and this needs no
 * tokens at all.
 *
 * It answers `undefined` for anything outside that subset or in doubt (anchors, aliases, tags,
 * flow collections, folded or kept block scalars, multi-line scalars, tabs, CR, duplicate
 * keys, `<<`, directives, odd indentation, comments in a file of several documents, a value
 * the full path refuses…), so that `parseYaml`'s token paths decide every other case: same
 * values, same errors. Comments come back with the slots the token paths would give them
 * (`Slot` in yaml-parse.ts), for the same placement.
 */
export function readYamlLines(text: string): LinesYaml | undefined {
  if (SPECIAL_CHARACTER.test(text)) return undefined;
  try {
    return new LineReader(text).read();
  } catch {
    // `fail()`, or a value the full path reports in its own words (an int64 overflow…).
    return undefined;
  }
}

// Tabs, CR, other controls, Unicode line breaks and the BOM all have YAML rules of their own.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to refuse.
const SPECIAL_CHARACTER = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

/**
 * True when a plain scalar resolves to a string without `resolvePlain`'s tests: it starts with
 * a letter that begins none of YAML's null and boolean words (numbers and timestamps start
 * with a digit, a sign or a dot). Most values, and every ENC[…] envelope.
 */
function isPlainText(value: string): boolean {
  const c = value.charCodeAt(0) | 0x20;
  return c >= 0x61 && c <= 0x7a && c !== 0x6e /* n */ && c !== 0x74 /* t */ && c !== 0x66 /* f */;
}

/** The document boundary (`---`) and the end of the text close every collection. */
const CLOSED = -1;
const BLANK = -2;
const UNKNOWN = -3;

// A plain scalar may not start with an indicator (`-`, `?` and `:` only before a space).
const INDICATOR = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?: |$))/;

interface Entry {
  key: string;
  /** The text after `key:` and its spaces ('' when the value is on later lines). */
  rest: string;
  /** Column where `rest` starts. */
  restColumn: number;
}

class LineReader {
  private readonly text: string;
  private readonly lines: string[];
  /** Offset of each line in the text. */
  private readonly starts: Int32Array;
  /** Index of the line to read next. */
  private index = 0;
  /** Indentation of each line, computed once (`CLOSED` for `---`, `BLANK` for blank lines). */
  private readonly indents: Int32Array;
  // A block scalar ending the text without a line break would lose its final `\n`.
  private readonly hasFinalBreak: boolean;
  /** Slots are kept only when the text may hold a comment. */
  private readonly withSlots: boolean;
  private readonly comments: RawComment[] = [];
  /** The slot of the collection `value` last read (undefined after a scalar). */
  private slot: Slot | undefined;

  constructor(text: string) {
    this.text = text;
    this.lines = text.split('\n');
    this.indents = new Int32Array(this.lines.length).fill(UNKNOWN);
    this.starts = new Int32Array(this.lines.length);
    for (let i = 1; i < this.lines.length; i++)
      this.starts[i] = (this.starts[i - 1] as number) + (this.lines[i - 1] as string).length + 1;
    this.hasFinalBreak = text.endsWith('\n');
    this.withSlots = text.includes('#');
  }

  read(): LinesYaml {
    const branches: TreeMap[] = [];
    let root: Slot | undefined;
    let open = false;
    for (;;) {
      const indent = this.peek();
      if (indent === CLOSED) {
        if (this.index >= this.lines.length) {
          if (open) branches.push(this.emptyDocument());
          break;
        }
        // `---`: ends the open document (possibly empty) and opens the next.
        if (open) branches.push(this.emptyDocument());
        this.index++;
        open = true;
        continue;
      }
      if (indent !== 0 || this.isSeqItem(this.index)) fail();
      branches.push(this.map(0));
      root = this.slot;
      open = false;
      // What follows a document is `---` or the end.
      if (this.peek() !== CLOSED) fail();
      if (this.index < this.lines.length) {
        this.index++;
        open = true;
      }
    }
    if (this.comments.length === 0) return { branches, comments: this.comments, root: undefined };
    // The token paths place comments by document ranges: one document only, as they do.
    if (branches.length > 1) fail();
    if (branches.length === 1 && root === undefined) {
      const branch = branches[0] as TreeMap;
      root = { column: 0, offsets: [], children: [], node: branch };
    }
    return { branches, comments: this.comments, root };
  }

  private emptyDocument(): TreeMap {
    this.slot = undefined;
    return { type: 'map', items: [] };
  }

  /**
   * Skips blank and comment lines (keeping the comments) and answers the next line's
   * indentation, or `CLOSED` at `---` or the end. Directives and `...` are outside the subset.
   */
  private peek(): number {
    const { lines, indents } = this;
    for (; this.index < lines.length; this.index++) {
      const i = this.index;
      let indent = indents[i] as number;
      if (indent === UNKNOWN) {
        const line = lines[i] as string;
        let n = 0;
        while (line.charCodeAt(n) === 0x20) n++;
        if (n === line.length) indent = BLANK;
        else {
          const c = line.charCodeAt(n);
          if (c === 0x23 /* # */) {
            this.comment(i, n, true);
            indent = BLANK;
          } else if (n === 0 && (c === 0x25 /* % */ || line.startsWith('...'))) fail();
          else if (n === 0 && line.startsWith('---')) {
            if (line !== '---') fail();
            indent = CLOSED;
          } else indent = n;
        }
        indents[i] = indent;
      }
      if (indent !== BLANK) return indent;
    }
    return CLOSED;
  }

  /** Keeps the comment whose `#` is at `column` of line `i`. */
  private comment(i: number, column: number, fullLine: boolean): void {
    this.comments.push({
      offset: (this.starts[i] as number) + column,
      text: (this.lines[i] as string).slice(column + 1),
      fullLine,
    });
  }

  private isSeqItem(i: number): boolean {
    const line = this.lines[i] as string;
    const n = this.indents[i] as number;
    return line.charCodeAt(n) === 0x2d /* - */ && (n + 1 === line.length || line[n + 1] === ' ');
  }

  /** A block mapping whose keys sit at `indent`; `first` is an entry already read on `line`. */
  private map(indent: number, first?: Entry, firstLine = -1): TreeMap {
    const items: MapItem[] = [];
    const out: TreeMap = { type: 'map', items };
    const slot: Slot | undefined = this.withSlots
      ? { column: indent, offsets: [], children: [], node: out }
      : undefined;
    const seen = new Set<string>();
    let entry = first;
    let line = firstLine;
    for (;;) {
      if (entry === undefined) {
        const next = this.peek();
        if (next < indent) break;
        if (next > indent || this.isSeqItem(this.index)) fail();
        line = this.index++;
        entry = this.entry(this.lines[line] as string, indent) ?? fail();
      }
      if (seen.has(entry.key) || entry.key === '<<') fail();
      seen.add(entry.key);
      const value = this.value(entry.rest, line, entry.restColumn, indent, true);
      items.push({ key: entry.key, value });
      slot?.offsets.push((this.starts[line] as number) + indent);
      slot?.children.push(this.slot);
      entry = undefined;
    }
    this.slot = slot;
    return out;
  }

  /** A block sequence whose dashes sit at `indent`. */
  private seq(indent: number): TreeSeq {
    const items: TreeValue[] = [];
    const out: TreeSeq = { type: 'seq', items };
    const start = (this.starts[this.index] as number) + indent;
    const slot: Slot | undefined = this.withSlots
      ? { column: indent, offsets: [], children: [], node: out }
      : undefined;
    for (;;) {
      const next = this.peek();
      if (next < indent) break;
      if (next > indent) fail();
      // The map around a sequence at its own key's indentation goes on.
      if (!this.isSeqItem(this.index)) break;
      const i = this.index++;
      const line = this.lines[i] as string;
      let column = indent + 1;
      while (line.charCodeAt(column) === 0x20) column++;
      const rest = line.slice(column);
      if (rest === '-' || rest.startsWith('- ')) fail();
      const entry = rest === '' || rest.startsWith('#') ? undefined : this.entry(line, column);
      let valueOffset = (this.starts[i] as number) + column;
      if (entry === undefined) {
        const value = this.value(rest, i, column, indent, false);
        // A value on the following lines starts where that line's text does.
        if (rest === '' || rest.startsWith('#')) {
          if (this.slot === undefined) {
            // An empty item: the token paths place comments around it by their own rules.
            if (slot) fail();
          } else valueOffset = this.slot.offsets[0] ?? valueOffset;
        }
        items.push(value);
      } else items.push(this.map(column, entry, i));
      if (slot) {
        // As yaml-parse.ts: the dash before the item's value.
        const dash = this.text.lastIndexOf('-', valueOffset);
        slot.offsets.push(dash >= start ? dash : valueOffset);
        slot.children.push(this.slot);
      }
    }
    this.slot = slot;
    return out;
  }

  /**
   * The value after a key (`inMap`) or a dash at column `owner`: a scalar on the line (`rest`,
   * at `column` of line `line`), a block scalar, or a collection on the following lines.
   */
  private value(
    rest: string,
    line: number,
    column: number,
    owner: number,
    inMap: boolean,
  ): TreeValue {
    if (rest.charCodeAt(0) === 0x23 /* # */) {
      this.comment(line, column, false);
      return this.nested(owner, inMap);
    }
    if (rest === '') return this.nested(owner, inMap);
    this.slot = undefined;
    const value = this.scalar(rest, line, column, owner);
    // A more indented line after a scalar continues it (or is an error): not ours.
    if (this.peek() > owner) fail();
    return value;
  }

  /** A collection on the lines after a key or a dash at column `owner`, else null. */
  private nested(owner: number, inMap: boolean): TreeValue {
    const next = this.peek();
    if (next > owner) return this.isSeqItem(this.index) ? this.seq(next) : this.map(next);
    // A sequence may sit at its key's indentation (`key:\n- a`).
    if (inMap && next === owner && this.isSeqItem(this.index)) return this.seq(next);
    this.slot = undefined;
    return { type: 'null' };
  }

  private scalar(rest: string, line: number, column: number, owner: number): TreeValue {
    const c = rest.charCodeAt(0);
    if (c === 0x27 /* ' */ || c === 0x22 /* " */) {
      const { value, end } = c === 0x27 ? singleQuoted(rest) : doubleQuoted(rest);
      this.trailing(rest, end, line, column);
      return { type: 'str', value };
    }
    if (c === 0x7c /* | */) {
      const strip = rest.charCodeAt(1) === 0x2d; /* - */
      this.trailing(rest, strip ? 2 : 1, line, column);
      return { type: 'str', value: this.literal(strip, owner) };
    }
    if (INDICATOR.test(rest)) fail();
    const hash = rest.indexOf(' #');
    let value = rest;
    if (hash !== -1) {
      this.comment(line, column + hash + 1, false);
      value = rest.slice(0, hash);
    }
    value = trimEnd(value);
    if (value.includes(': ') || value.endsWith(':')) fail();
    return isPlainText(value) ? { type: 'str', value } : resolvePlain(value, '');
  }

  /** Only spaces after `from`, or spaces and a comment. */
  private trailing(rest: string, from: number, line: number, column: number): void {
    let i = from;
    while (rest.charCodeAt(i) === 0x20) i++;
    if (i === rest.length) return;
    if (i === from || rest.charCodeAt(i) !== 0x23) fail();
    this.comment(line, column + i, false);
  }

  /** A literal block scalar, `|` (clip) or `|-` (strip), without blank lines inside. */
  private literal(strip: boolean, owner: number): string {
    // The first line sets the indentation; leading blank lines have rules of their own.
    const first = this.lines[this.index] ?? '';
    let contentIndent = 0;
    while (first.charCodeAt(contentIndent) === 0x20) contentIndent++;
    if (contentIndent <= owner || contentIndent === first.length) fail();
    const parts: string[] = [];
    let blanks = false;
    for (; this.index < this.lines.length; this.index++) {
      const line = this.lines[this.index] as string;
      let n = 0;
      while (n < contentIndent && line.charCodeAt(n) === 0x20) n++;
      if (n < contentIndent) {
        if (isSpaces(line, n)) {
          blanks = true;
          continue;
        }
        break;
      }
      // A blank line inside the text, or one with spaces beyond the indentation.
      if (blanks || isSpaces(line, n)) fail();
      parts.push(line.slice(contentIndent));
    }
    if (this.index >= this.lines.length && !blanks && !this.hasFinalBreak) fail();
    const body = parts.join('\n');
    return strip ? body : `${body}\n`;
  }

  /** `key:` and what follows it on a line, the key at `column`; undefined when not a key. */
  private entry(line: string, column: number): Entry | undefined {
    const c = line.charCodeAt(column);
    let key: string;
    let colon: number;
    if (c === 0x27 || c === 0x22) {
      const quoted = (c === 0x27 ? singleQuoted : doubleQuoted)(line.slice(column));
      colon = column + quoted.end;
      if (line.charCodeAt(colon) !== 0x3a /* : */) {
        // A quoted scalar: `- "a"`; a quoted key needs its colon right after it.
        return undefined;
      }
      key = quoted.value;
    } else {
      colon = line.indexOf(': ', column);
      if (colon === -1) colon = line.endsWith(':') ? line.length - 1 : -1;
      if (colon === -1) return undefined;
      const text = line.slice(column, colon);
      if (
        text === '' ||
        INDICATOR.test(text) ||
        text.includes(' #') ||
        text.charCodeAt(text.length - 1) === 0x20
      )
        fail();
      const resolved = resolvePlain(text, '');
      if (resolved.type !== 'str') fail();
      key = resolved.value;
    }
    // The composer refuses implicit keys over 1024 characters.
    if (colon - column > 1000) fail();
    let restColumn = colon + 1;
    if (restColumn < line.length && line.charCodeAt(restColumn) !== 0x20) fail();
    while (line.charCodeAt(restColumn) === 0x20) restColumn++;
    return { key, rest: line.slice(restColumn), restColumn };
  }
}
