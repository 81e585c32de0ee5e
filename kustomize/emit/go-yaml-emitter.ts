import { compareGoYamlKeys, formatFloatForOutput } from './go-format.ts';
import { canPrintPlainV2 } from './go-resolve.ts';
import { isJsonMap, type JsonMap, type JsonValue } from './json-value.ts';
import {
  analyzeScalar,
  asciiIndicators,
  blockIndicator,
  flowIndicator,
  isBreak,
  isPrintable,
  isSpace,
} from './scalar-analysis.ts';

/**
 * Prints one document exactly as go-yaml v2 (`sigs.k8s.io/yaml`, libyaml's emitter) does, which
 * is what kustomize's `AsYaml` ends with: keys sorted, two-space indent, sequences not indented
 * under their key, lines folded past column 80, and libyaml's quoting choices.
 */
export function emitGoYaml(root: JsonValue, options: EmitOptions = {}): string {
  const emitter = new Emitter(options.asciiShortcut ?? true);
  emitter.node(root, rootContext);
  emitter.writeIndent();
  return emitter.out.join('');
}

export interface EmitOptions {
  /**
   * Writes printable-ASCII scalars without spaces in one piece instead of character by
   * character as libyaml does (the same text: nothing to escape or fold). On by default; off
   * only to test the shortcut against the character-by-character path.
   */
  asciiShortcut?: boolean;
}

/**
 * Printable ASCII without a leading or trailing space: one code point per code unit, nothing
 * libyaml escapes but `"` and `\\` (the shortcut also needs the text to fit the line).
 */
const asciiText = /^(?:[!-~](?:[ -~]*[!-~])?)?$/;

const bestIndent = 2;
const bestWidth = 80;

type ScalarStyle = 'plain' | 'single' | 'double' | 'literal';

interface NodeContext {
  root: boolean;
  sequence: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

// The four contexts a node is written in, shared instead of allocated per node.
const rootContext: NodeContext = { root: true, sequence: false, mapping: false, simpleKey: false };
const itemContext: NodeContext = { root: false, sequence: true, mapping: false, simpleKey: false };
const keyContext: NodeContext = { root: false, sequence: false, mapping: true, simpleKey: true };
const valueContext: NodeContext = {
  root: false,
  sequence: false,
  mapping: true,
  simpleKey: false,
};

/** Whether a key may be written as a simple key: no line break, at most 128 bytes. */
function isSimpleKey(key: string): boolean {
  if (/[\n\r\u0085\u2028\u2029]/.test(key)) return false;
  // At most three UTF-8 bytes per UTF-16 unit.
  return key.length <= 42 || Buffer.byteLength(key) <= 128;
}

class Emitter {
  readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;
  private readonly asciiShortcut: boolean;

  constructor(asciiShortcut: boolean) {
    this.asciiShortcut = asciiShortcut;
  }

  private put(text: string): void {
    this.out.push(text);
    this.column += 1;
  }

  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }

  private writeChar(c: number): void {
    this.put(String.fromCodePoint(c));
  }

  /** Writes a break character from the value (libyaml's `write_break`). */
  private writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak();
    else {
      this.out.push(String.fromCodePoint(c));
      this.column = 0;
    }
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.putBreak();
    }
    if (this.column < indent) {
      this.out.push(' '.repeat(indent - this.column));
      this.column = indent;
    }
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    // Indicators are ASCII: one column per character.
    this.out.push(indicator);
    this.column += indicator.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? bestIndent : 0;
    else if (!indentless) this.indent += bestIndent;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  node(value: JsonValue, context: NodeContext): void {
    if (Array.isArray(value)) this.sequence(value, context);
    else if (value !== null && isJsonMap(value)) this.mapping(value, context);
    else this.scalar(value, context);
  }

  private sequence(items: JsonValue[], context: NodeContext): void {
    if (this.flowLevel > 0 || items.length === 0) {
      this.writeIndicator('[', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
      items.forEach((item, index) => {
        if (index > 0) this.writeIndicator(',', false, false, false);
        if (this.column > bestWidth) this.writeIndent();
        this.node(item, itemContext);
      });
      this.flowLevel--;
      this.popIndent();
      this.writeIndicator(']', false, false, false);
      return;
    }
    this.increaseIndent(false, context.mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, itemContext);
    }
    this.popIndent();
  }

  private mapping(map: JsonMap, _context: NodeContext): void {
    const keys = [...map.keys()].sort(compareGoYamlKeys);
    if (this.flowLevel > 0 || keys.length === 0) {
      this.writeIndicator('{', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
      keys.forEach((key, index) => {
        if (index > 0) this.writeIndicator(',', false, false, false);
        if (this.column > bestWidth) this.writeIndent();
        this.node(key, keyContext);
        this.writeIndicator(':', false, false, false);
        this.node(map.get(key) as JsonValue, valueContext);
      });
      this.flowLevel--;
      this.popIndent();
      this.writeIndicator('}', false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      if (isSimpleKey(key)) {
        this.node(key, keyContext);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, valueContext);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(map.get(key) as JsonValue, valueContext);
    }
    this.popIndent();
  }

  private scalar(value: Exclude<JsonValue, JsonValue[] | JsonMap>, context: NodeContext): void {
    let text: string;
    let style: ScalarStyle = 'plain';
    if (value === null) text = 'null';
    else if (typeof value === 'boolean') text = String(value);
    else if (typeof value === 'bigint') text = value.toString();
    else if (typeof value === 'number') text = formatFloatForOutput(value);
    else {
      text = value;
      if (this.asciiShortcut && asciiText.test(text) && this.asciiScalar(text, context)) return;
      if (text.includes('\n')) style = 'literal';
      else if (!canPrintPlainV2(text)) style = 'double';
    }
    const chars = Array.from(text, (ch) => ch.codePointAt(0) as number);
    const analysis = analyzeScalar(chars);
    if (context.simpleKey && analysis.multiline) style = 'double';
    if (style === 'plain') {
      if (this.flowLevel > 0 ? !analysis.flowPlainAllowed : !analysis.blockPlainAllowed)
        style = 'single';
      if (chars.length === 0 && (this.flowLevel > 0 || context.simpleKey)) style = 'single';
    }
    if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double';
    if (
      style === 'literal' &&
      (!analysis.blockAllowed || this.flowLevel > 0 || context.simpleKey)
    ) {
      style = 'double';
    }
    this.increaseIndent(true, false);
    const allowBreaks = !context.simpleKey;
    if (style === 'plain') this.writePlain(chars, allowBreaks);
    else if (style === 'single') this.writeSingleQuoted(chars, allowBreaks);
    else if (style === 'double') this.writeDoubleQuoted(chars, allowBreaks);
    else this.writeLiteral(chars);
    this.popIndent();
  }

  /**
   * `scalar` for printable ASCII without leading or trailing spaces, when it cannot reach the
   * folding column: libyaml's analysis reduces to the indicator checks, and every writer puts
   * the characters as they are (doubling `'`, escaping `"` and `\\`). False, having written
   * nothing, when the text has a space and might be folded.
   */
  private asciiScalar(text: string, context: NodeContext): boolean {
    let style: ScalarStyle = canPrintPlainV2(text) ? 'plain' : 'double';
    if (style === 'plain') {
      const indicators = asciiIndicators(text);
      if ((indicators & (this.flowLevel > 0 ? flowIndicator : blockIndicator)) !== 0)
        style = 'single';
      if (text.length === 0 && (this.flowLevel > 0 || context.simpleKey)) style = 'single';
    }
    const written =
      style === 'plain'
        ? text
        : style === 'single'
          ? text.replaceAll("'", "''")
          : text.replace(/["\\]/g, '\\$&');
    // Lines fold only at a space past column 80: with the separator and quotes, the text
    // stays before it.
    if (this.column + 2 + written.length > bestWidth && text.includes(' ')) return false;
    if (style === 'plain') {
      if (!this.whitespace) this.put(' ');
      this.out.push(written);
      this.column += written.length;
    } else {
      const quote = style === 'single' ? "'" : '"';
      this.writeIndicator(quote, true, false, false);
      this.out.push(written);
      this.column += written.length;
      this.writeIndicator(quote, false, false, false);
    }
    this.whitespace = false;
    this.indention = false;
    return true;
  }

  private writePlain(chars: readonly number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as number;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > bestWidth && !isSpace(chars[i + 1]))
          this.writeIndent();
        else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(chars: readonly number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as number;
      if (isSpace(c)) {
        if (
          allowBreaks &&
          !spaces &&
          this.column > bestWidth &&
          i > 0 &&
          i < chars.length - 1 &&
          !isSpace(chars[i + 1])
        ) {
          this.writeIndent();
        } else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(chars: readonly number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const startsWithBom = chars[0] === 0xfeff;
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as number;
      if (!isPrintable(c) || startsWithBom || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        this.writeEscape(c);
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > bestWidth && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          if (isSpace(chars[i + 1])) this.put('\\');
        } else this.writeChar(c);
        spaces = true;
      } else {
        this.writeChar(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeEscape(c: number): void {
    const named: Record<number, string> = {
      0: '0',
      7: 'a',
      8: 'b',
      9: 't',
      10: 'n',
      11: 'v',
      12: 'f',
      13: 'r',
      27: 'e',
      34: '"',
      92: '\\',
      133: 'N',
      160: '_',
      8232: 'L',
      8233: 'P',
    };
    const name = named[c];
    if (name !== undefined) {
      this.put(name);
      return;
    }
    const [prefix, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
    this.put(prefix);
    for (const digit of c.toString(16).toUpperCase().padStart(width, '0')) this.put(digit);
  }

  private writeLiteral(chars: readonly number[]): void {
    this.writeIndicator('|', true, false, false);
    if (isSpace(chars[0]) || isBreak(chars[0]))
      this.writeIndicator(String(bestIndent), false, false, false);
    const last = chars[chars.length - 1];
    let chomp = '';
    if (chars.length === 0 || !isBreak(last)) chomp = '-';
    else if (chars.length === 1 || isBreak(chars[chars.length - 2])) chomp = '+';
    if (chomp !== '') this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}
