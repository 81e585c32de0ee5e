import { compareGoYamlKeys, formatFloatForOutput } from './go-format.ts';
import { canPrintPlainV2 } from './go-resolve.ts';
import { isJsonMap, type JsonMap, type JsonValue } from './json-value.ts';
import { analyzeScalar, isBreak, isPrintable, isSpace } from './scalar-analysis.ts';

/**
 * Prints one document exactly as go-yaml v2 (`sigs.k8s.io/yaml`, libyaml's emitter) does, which
 * is what kustomize's `AsYaml` ends with: keys sorted, two-space indent, sequences not indented
 * under their key, lines folded past column 80, and libyaml's quoting choices.
 */
export function emitGoYaml(root: JsonValue): string {
  const emitter = new Emitter();
  emitter.node(root, { root: true, sequence: false, mapping: false, simpleKey: false });
  emitter.writeIndent();
  return emitter.out.join('');
}

const bestIndent = 2;
const bestWidth = 80;

type ScalarStyle = 'plain' | 'single' | 'double' | 'literal';

interface NodeContext {
  root: boolean;
  sequence: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

class Emitter {
  readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;

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
    while (this.column < indent) this.put(' ');
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
    for (const ch of indicator) this.put(ch);
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
        this.node(item, { root: false, sequence: true, mapping: false, simpleKey: false });
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
      this.node(item, { root: false, sequence: true, mapping: false, simpleKey: false });
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
        this.node(key, { root: false, sequence: false, mapping: true, simpleKey: true });
        this.writeIndicator(':', false, false, false);
        this.node(map.get(key) as JsonValue, {
          root: false,
          sequence: false,
          mapping: true,
          simpleKey: false,
        });
      });
      this.flowLevel--;
      this.popIndent();
      this.writeIndicator('}', false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      const keyChars = Array.from(key, (ch) => ch.codePointAt(0) as number);
      const simple = !keyChars.some(isBreak) && Buffer.byteLength(key) <= 128;
      if (simple) {
        this.node(key, { root: false, sequence: false, mapping: true, simpleKey: true });
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, { root: false, sequence: false, mapping: true, simpleKey: false });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(map.get(key) as JsonValue, {
        root: false,
        sequence: false,
        mapping: true,
        simpleKey: false,
      });
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
