import { isScalar, type Node, Pair, Scalar, type ScalarTag, Schema, YAMLMap, YAMLSeq } from 'yaml';

/**
 * A fast reader for the block subset of YAML that resource and kustomization files are nearly
 * always written in: block maps and sequences (`- key: value` items too), single-line plain,
 * single- and double-quoted scalars, one-line flow sequences of scalars and `{}`, full-line and
 * trailing comments, `---` separators. It builds the same `yaml` nodes the `yaml` package
 * composes (same classes, values, `source`, `type` and `format`; no ranges or comments, which
 * the engine never reads), with every collection marked `flow: false` as alias expansion
 * leaves them.
 *
 * Why: the CLI runs once and cold, so the `yaml` package's lexer, parser and composer run in
 * the interpreter and cost more than the rest of a small build. Anything outside the subset
 * (anchors, aliases, tags, other flow collections, block or multi-line scalars, uncommon
 * escapes, duplicate keys, tabs, odd indentation, directives) answers `undefined` and the
 * `yaml` package decides, errors included.
 */
export function readBlockYaml(text: string): YAMLMap[] | undefined {
  if (unsupportedCharacters.test(text)) return undefined;
  const reader = new BlockReader(text.split('\n'));
  try {
    return reader.documents();
  } catch (error) {
    if (error === unsupported) return undefined;
    throw error;
  }
}

/**
 * Anything but a newline and printable characters: tabs, carriage returns, control characters,
 * the BOM, Unicode line breaks, U+FFFE/U+FFFF (surrogate halves pass, as pairs of them).
 */
const unsupportedCharacters = /[^\n -~\u00a0-\u2027\u202a-\ufefe\uff00-\ufffd]/;

/** Thrown inside the reader to give up; never escapes `readBlockYaml`. */
const unsupported = new Error('outside the block YAML subset');

/** The schema the `yaml` package builds for a YAML 1.2 document (core tags). */
const coreSchema = new Schema({ resolveKnownTags: true, schema: 'core' });

/** The core tags a plain scalar is tested against, in the `yaml` package's order. */
const testedTags = coreSchema.tags.filter(
  (tag): tag is ScalarTag => tag.default === true && !('collection' in tag) && tag.test != null,
);

const resolveOptions = { intAsBigInt: false };

const failResolve = (): never => {
  throw unsupported;
};

/**
 * Whether a plain scalar can resolve to anything but a string under the core tags: null and
 * the booleans are words of at most five letters starting n/N, t/T or f/F (or `~`, or empty),
 * numbers start with a digit, a sign or a dot. Keys such as `name` or `template` skip the tag
 * tests.
 */
function mayResolveToNonString(text: string): boolean {
  const code = text.charCodeAt(0);
  if (
    code === 0x6e ||
    code === 0x4e ||
    code === 0x74 ||
    code === 0x54 ||
    code === 0x66 ||
    code === 0x46
  ) {
    return text.length <= 5;
  }
  return (
    Number.isNaN(code) ||
    code === 0x7e ||
    code === 0x2b ||
    code === 0x2d ||
    code === 0x2e ||
    (code >= 0x30 && code <= 0x39)
  );
}

/** A plain scalar as the `yaml` package composes it: core-schema resolution, source, format. */
function plainScalar(text: string): Scalar {
  let scalar: Scalar | undefined;
  let format: string | undefined;
  if (mayResolveToNonString(text)) {
    for (const tag of testedTags) {
      if (tag.test?.test(text)) {
        const resolved = tag.resolve(text, failResolve, resolveOptions as never);
        scalar = isScalar(resolved) ? resolved : new Scalar(resolved);
        format = tag.format;
        break;
      }
    }
  }
  scalar ??= new Scalar(text);
  scalar.source = text;
  scalar.type = 'PLAIN';
  if (format) scalar.format = format;
  return scalar;
}

function quotedScalar(value: string, type: 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'): Scalar {
  const scalar = new Scalar(value);
  scalar.source = value;
  scalar.type = type;
  return scalar;
}

/** The empty node of `key:` or `-` with nothing after (the `yaml` package's empty scalar). */
const emptyScalar = (): Scalar => plainScalar('');

/** Characters a plain scalar may not start with (YAML's c-indicator, less `-`, `?`, `:`). */
function isIndicator(code: number): boolean {
  // , [ ] { } # & * ! | > ' " % @ `
  return (
    code === 0x2c ||
    code === 0x5b ||
    code === 0x5d ||
    code === 0x7b ||
    code === 0x7d ||
    code === 0x23 ||
    code === 0x26 ||
    code === 0x2a ||
    code === 0x21 ||
    code === 0x7c ||
    code === 0x3e ||
    code === 0x27 ||
    code === 0x22 ||
    code === 0x25 ||
    code === 0x40 ||
    code === 0x60
  );
}

/** `-`, `?` or `:` followed by a space or the end: a block indicator, not a plain scalar. */
function isBlockIndicator(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code !== 0x2d && code !== 0x3f && code !== 0x3a) return false;
  const next = text.charCodeAt(at + 1);
  return next === 0x20 || Number.isNaN(next);
}

/** The index just past the closing quote of the quoted scalar at `start`, and its value. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  if (quote === "'") {
    let value = '';
    let from = start + 1;
    for (;;) {
      const close = text.indexOf("'", from);
      if (close < 0) throw unsupported;
      value += text.slice(from, close);
      if (text[close + 1] !== "'") return { value, end: close + 1 };
      value += "'";
      from = close + 2;
    }
  }
  let value = '';
  let from = start + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    const backslash = text.indexOf('\\', from);
    if (close < 0) throw unsupported;
    if (backslash < 0 || backslash > close) {
      value += text.slice(from, close);
      return { value, end: close + 1 };
    }
    value += text.slice(from, backslash) + unescapeDouble(text[backslash + 1]);
    from = backslash + 2;
  }
}

/** The common double-quoted escapes; any other one is left to the `yaml` package. */
function unescapeDouble(code: string | undefined): string {
  switch (code) {
    case '\\':
      return '\\';
    case '"':
      return '"';
    case '/':
      return '/';
    case 'n':
      return '\n';
    case 't':
      return '\t';
    default:
      throw unsupported;
  }
}

/** Whether only spaces and a comment follow `at` on the line. */
function isLineEnd(text: string, at: number): boolean {
  let i = at;
  while (text.charCodeAt(i) === 0x20) i++;
  return i === text.length || (text.charCodeAt(i) === 0x23 && i > at);
}

/**
 * `{}`, `[]` or `[a, "b", 'c']` on one line: plain items without `:` or `#` (whose meaning in
 * flow context differs), quoted items, no trailing comma. Alias expansion leaves it a block
 * collection (`flow: false`), as here.
 */
function flowCollection(text: string, from: number): YAMLMap | YAMLSeq {
  if (text.charCodeAt(from) === 0x7b) {
    let end = from + 1;
    while (text.charCodeAt(end) === 0x20) end++;
    if (text.charCodeAt(end) !== 0x7d || !isLineEnd(text, end + 1)) throw unsupported;
    const map = new YAMLMap(coreSchema);
    map.flow = false;
    return map;
  }
  const seq = new YAMLSeq(coreSchema);
  seq.flow = false;
  let i = from + 1;
  while (text.charCodeAt(i) === 0x20) i++;
  if (text.charCodeAt(i) === 0x5d) {
    if (!isLineEnd(text, i + 1)) throw unsupported;
    return seq;
  }
  for (;;) {
    const first = text.charCodeAt(i);
    let end: number;
    if (first === 0x22 || first === 0x27) {
      const quoted = readQuoted(text, i);
      seq.items.push(quotedScalar(quoted.value, first === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE'));
      end = quoted.end;
    } else {
      if (isIndicator(first) || isBlockIndicator(text, i)) throw unsupported;
      end = i;
      for (;;) {
        const code = text.charCodeAt(end);
        if (Number.isNaN(code) || code === 0x3a || code === 0x23) throw unsupported;
        if (code === 0x2c || code === 0x5d || isIndicator(code)) break;
        end++;
      }
      seq.items.push(plainScalar(text.slice(i, end).trimEnd()));
    }
    while (text.charCodeAt(end) === 0x20) end++;
    const next = text.charCodeAt(end);
    if (next === 0x5d) {
      if (!isLineEnd(text, end + 1)) throw unsupported;
      return seq;
    }
    if (next !== 0x2c) throw unsupported;
    i = end + 1;
    while (text.charCodeAt(i) === 0x20) i++;
    if (text.charCodeAt(i) === 0x5d) throw unsupported;
  }
}

const maxDepth = 100;
const maxKeyLength = 1000;

class BlockReader {
  private readonly lines: string[];
  private line = 0;
  /** Indent of the current line, or -1 at a document separator or the end. */
  private indent = -1;

  constructor(lines: string[]) {
    this.lines = lines;
  }

  /** Moves to the next line with content; sets `indent`. */
  private skipBlank(): void {
    const lines = this.lines;
    for (; this.line < lines.length; this.line++) {
      const text = lines[this.line] as string;
      let i = 0;
      while (text.charCodeAt(i) === 0x20) i++;
      if (i === text.length || text.charCodeAt(i) === 0x23) continue;
      if (i === 0 && (text.startsWith('---') || text.startsWith('...'))) {
        if (text.startsWith('...') || !isLineEnd(text, 3)) throw unsupported;
        this.indent = -1;
        return;
      }
      this.indent = i;
      return;
    }
    this.indent = -1;
  }

  documents(): YAMLMap[] {
    const result: YAMLMap[] = [];
    for (;;) {
      this.skipBlank();
      if (this.line >= this.lines.length) return result;
      if (this.indent < 0) {
        this.line++;
        continue;
      }
      if (this.indent !== 0) throw unsupported;
      result.push(this.map(0, 0, 0));
      if (this.indent >= 0) throw unsupported;
    }
  }

  /**
   * A block map whose keys sit at column `column`; its first key starts at `start` of the
   * current line (after `- ` for a map in a sequence item).
   */
  private map(column: number, start: number, depth: number): YAMLMap {
    if (depth > maxDepth) throw unsupported;
    const map = new YAMLMap(coreSchema);
    map.flow = false;
    let from = start;
    // Keys seen, for maps too long for a linear scan.
    let seen: Set<unknown> | undefined;
    for (;;) {
      const text = this.lines[this.line] as string;
      const colon = this.keyEnd(text, from);
      if (colon < 0) throw unsupported;
      const key = this.key(text, from, colon);
      if (seen === undefined) {
        for (const pair of map.items) {
          if ((pair.key as Scalar).source === key.source) throw unsupported;
        }
      } else if (seen.has(key.source)) throw unsupported;
      map.items.push(new Pair(key, this.value(text, colon + 1, column, depth)));
      if (seen !== undefined) seen.add(key.source);
      else if (map.items.length === 16)
        seen = new Set(map.items.map((p) => (p.key as Scalar).source));
      if (this.indent !== column) {
        if (this.indent > column) throw unsupported;
        return map;
      }
      from = column;
    }
  }

  /** The index of the `:` ending the key at `from`, or -1 when the line holds no key. */
  private keyEnd(text: string, from: number): number {
    const first = text.charCodeAt(from);
    if (first === 0x22 || first === 0x27) {
      const { end } = readQuoted(text, from);
      let i = end;
      while (text.charCodeAt(i) === 0x20) i++;
      if (text.charCodeAt(i) !== 0x3a) return -1;
      const next = text.charCodeAt(i + 1);
      return next === 0x20 || Number.isNaN(next) ? i : -1;
    }
    let colon = text.indexOf(': ', from);
    if (colon < 0 && text.endsWith(':')) colon = text.length - 1;
    if (colon < 0) return -1;
    const comment = text.indexOf(' #', from);
    return comment >= 0 && comment < colon ? -1 : colon;
  }

  private key(text: string, from: number, colon: number): Scalar {
    const first = text.charCodeAt(from);
    if (first === 0x22 || first === 0x27) {
      const { value } = readQuoted(text, from);
      return quotedScalar(value, first === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE');
    }
    if (isIndicator(first) || first === 0x2d || first === 0x3f || first === 0x3a) {
      throw unsupported;
    }
    const source = text.slice(from, colon).trimEnd();
    if (source.length > maxKeyLength) throw unsupported;
    return plainScalar(source);
  }

  /**
   * The value after a key's `:` at `from`: an inline scalar, or the block node on the lines
   * below, or the empty scalar. `column` is the column of the key; leaves `indent` at the next
   * line with content.
   */
  private value(text: string, from: number, column: number, depth: number): Node {
    let i = from;
    while (text.charCodeAt(i) === 0x20) i++;
    this.line++;
    if (i < text.length && text.charCodeAt(i) !== 0x23) {
      const scalar = this.inlineScalar(text, i);
      this.skipBlank();
      // A more indented line after an inline value continues a multi-line scalar (or is an
      // error): left to the yaml package.
      if (this.indent > column) throw unsupported;
      return scalar;
    }
    this.skipBlank();
    if (this.indent > column) return this.block(depth + 1);
    if (this.indent === column && this.isSeqItem()) return this.seq(column, depth + 1);
    return emptyScalar();
  }

  /** The block node starting at the current line, at column `indent`. */
  private block(depth: number): Node {
    if (this.isSeqItem()) return this.seq(this.indent, depth);
    return this.map(this.indent, this.indent, depth);
  }

  private isSeqItem(): boolean {
    return (
      isBlockIndicator(this.lines[this.line] as string, this.indent) &&
      (this.lines[this.line] as string).charCodeAt(this.indent) === 0x2d
    );
  }

  /** A block sequence whose `-` indicators sit at column `column`. */
  private seq(column: number, depth: number): YAMLSeq {
    if (depth > maxDepth) throw unsupported;
    const seq = new YAMLSeq(coreSchema);
    seq.flow = false;
    for (;;) {
      seq.items.push(this.item(column, depth));
      if (this.indent !== column || !this.isSeqItem()) {
        if (this.indent > column) throw unsupported;
        return seq;
      }
    }
  }

  /** One sequence item; the current line starts with `-` at `column`. */
  private item(column: number, depth: number): Node {
    const text = this.lines[this.line] as string;
    let i = column + 1;
    while (text.charCodeAt(i) === 0x20) i++;
    if (i >= text.length || text.charCodeAt(i) === 0x23) {
      this.line++;
      this.skipBlank();
      if (this.indent > column) return this.block(depth + 1);
      return emptyScalar();
    }
    if (isBlockIndicator(text, i)) throw unsupported;
    if (this.keyEnd(text, i) >= 0) return this.map(i, i, depth + 1);
    const scalar = this.inlineScalar(text, i);
    this.line++;
    this.skipBlank();
    if (this.indent > column) throw unsupported;
    return scalar;
  }

  /**
   * A scalar, or a one-line flow sequence of scalars, or `{}`, that starts at `from` and ends
   * on this line (before any trailing comment).
   */
  private inlineScalar(text: string, from: number): Node {
    const first = text.charCodeAt(from);
    if (first === 0x5b || first === 0x7b) return flowCollection(text, from);
    if (first === 0x22 || first === 0x27) {
      const { value, end } = readQuoted(text, from);
      if (!isLineEnd(text, end)) throw unsupported;
      return quotedScalar(value, first === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE');
    }
    if (isIndicator(first) || isBlockIndicator(text, from)) throw unsupported;
    const comment = text.indexOf(' #', from);
    const source = (comment < 0 ? text.slice(from) : text.slice(from, comment)).trimEnd();
    // `key: a: b` is an error in YAML; let the yaml package report it.
    if (source.includes(': ') || source.endsWith(':')) throw unsupported;
    return plainScalar(source);
  }
}
