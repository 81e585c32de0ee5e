/**
 * Flux's `envsubst` (a fork of drone/envsubst): `${var}` expressions with bash-like operators.
 * `$var` without braces is left alone, and `$$` escapes a dollar. In strict mode a variable
 * that is not set fails the expansion unless the operator supplies a default.
 */

export class EnvsubstError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvsubstError';
  }
}

type Lookup = (name: string) => { value: string; exists: boolean };

type Node = { text: string } | { name: string; op: string; args: Node[][] };

const identChar = /[\p{L}\p{N}_]/u;
const defaultOps = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

class Parser {
  private pos = 0;
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  /** Top level: text with `${…}` expressions; `$$` escapes a dollar. */
  parseAll(): Node[] {
    const nodes: Node[] = [];
    let text = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] ?? '';
      if (c === '$' && this.src[this.pos + 1] === '$') {
        text += '$';
        this.pos += 2;
        continue;
      }
      if (c === '$' && this.src[this.pos + 1] === '{') {
        if (text) nodes.push({ text });
        text = '';
        this.pos += 2;
        nodes.push(this.parseFunc());
        continue;
      }
      text += c;
      this.pos++;
    }
    if (text) nodes.push({ text });
    return nodes;
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private parseFunc(): Node {
    if (this.peek() === '#') {
      this.pos++;
      const name = this.ident();
      this.expectClose();
      return { name, op: '#', args: [] };
    }
    const name = this.ident();
    const c = this.peek();
    if (c === '}') {
      this.pos++;
      return { name, op: '', args: [] };
    }
    if (c === ':' && '=-?+'.includes(this.peek(1)) && this.peek(1) !== '') {
      const op = `:${this.peek(1)}`;
      this.pos += 2;
      return { name, op, args: [this.param()] };
    }
    if (c === '=') {
      this.pos++;
      return { name, op: '=', args: [this.param()] };
    }
    if (c === ':') {
      this.pos++;
      const offset = this.param(/[:}]/);
      if (this.peek() === ':') {
        this.pos++;
        return { name, op: ':', args: [offset, this.param()] };
      }
      this.expectClose();
      return { name, op: ':', args: [offset] };
    }
    if (c === ',' || c === '^') {
      const op = this.peek(1) === c ? c + c : c;
      this.pos += op.length;
      this.expectClose();
      return { name, op, args: [] };
    }
    if (c === '#' || c === '%') {
      const op = this.peek(1) === c ? c + c : c;
      this.pos += op.length;
      return { name, op, args: [this.param()] };
    }
    if (c === '/') {
      const next = this.peek(1);
      const op = next === '/' || next === '#' || next === '%' ? `/${next}` : '/';
      this.pos += op.length;
      const pattern = this.param(/[/}]/);
      if (this.peek() === '}') {
        this.pos++;
        return { name, op, args: [pattern] };
      }
      this.pos++;
      return { name, op, args: [pattern, this.param()] };
    }
    throw new EnvsubstError(`missing closing brace after '\${${name}'`);
  }

  private ident(): string {
    const start = this.pos;
    while (identChar.test(this.peek())) this.pos++;
    if (this.pos === start) throw new EnvsubstError('unable to parse variable name');
    return this.src.slice(start, this.pos);
  }

  private expectClose(): void {
    if (this.peek() !== '}') throw new EnvsubstError('missing closing brace');
    this.pos++;
  }

  /** A parameter up to `stop` (default `}`, which is consumed), with nested `${…}`. */
  private param(stop: RegExp = /}/): Node[] {
    const nodes: Node[] = [];
    let text = '';
    for (;;) {
      const c = this.peek();
      if (c === '') throw new EnvsubstError('missing closing brace');
      if (stop.test(c)) break;
      if ((c === '$' && this.peek(1) === '$') || (c === '\\' && '/\\'.includes(this.peek(1)))) {
        text += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (c === '$' && this.peek(1) === '{') {
        if (text) nodes.push({ text });
        text = '';
        this.pos += 2;
        nodes.push(this.parseFunc());
        continue;
      }
      text += c;
      this.pos++;
    }
    if (text) nodes.push({ text });
    if (stop.source === '}' && this.peek() === '}') this.pos++;
    return nodes;
  }
}

/** Expands every `${…}` in `input`; throws EnvsubstError naming the variable at fault. */
export function envsubst(input: string, lookup: Lookup): string {
  const nodes = new Parser(input).parseAll();
  return evaluate(nodes, lookup);
}

function evaluate(nodes: Node[], lookup: Lookup): string {
  let out = '';
  for (const node of nodes) {
    if ('text' in node) {
      out += node.text;
      continue;
    }
    const args = node.args.map((arg) => evaluate(arg, lookup));
    const { value, exists } = lookup(node.name);
    if (!exists && !defaultOps.has(node.op)) {
      throw new EnvsubstError(`variable not set (strict mode): "${node.name}"`);
    }
    out += apply(node.op, value, args);
  }
  return out;
}

function apply(op: string, value: string, args: string[]): string {
  const chars = [...value];
  const [a = '', b] = args;
  switch (op) {
    case '#':
      return args.length === 0 ? String(chars.length) : trimPrefix(value, a, false);
    case '##':
      return trimPrefix(value, a, true);
    case '%':
      return trimSuffix(value, a, false);
    case '%%':
      return trimSuffix(value, a, true);
    case ',':
      return (chars[0] ?? '').toLowerCase() + chars.slice(1).join('');
    case ',,':
      return value.toLowerCase();
    case '^':
      return (chars[0] ?? '').toUpperCase() + chars.slice(1).join('');
    case '^^':
      return value.toUpperCase();
    case ':': {
      const offset = Math.max(0, Number.parseInt(a, 10) || 0);
      if (offset >= chars.length) return '';
      const length = b === undefined ? chars.length : Number.parseInt(b, 10) || 0;
      return chars.slice(offset, offset + Math.max(0, length)).join('');
    }
    case '/':
    case '//':
    case '/#':
    case '/%':
      return replace(op, value, a, b ?? '');
    default:
      // Every default operator behaves as `:-` in Flux's fork: the default when empty.
      return value === '' && args.length > 0 ? args.join('') : value;
  }
}

/** A shell pattern (`*`, `?`, `[…]`) as a regular expression source. */
function globSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return source;
}

function matches(pattern: string, text: string): boolean {
  return new RegExp(`^(?:${globSource(pattern)})$`, 's').test(text);
}

function trimPrefix(value: string, pattern: string, longest: boolean): string {
  const ends = [...Array(value.length + 1).keys()];
  for (const end of longest ? ends.reverse() : ends) {
    if (matches(pattern, value.slice(0, end))) return value.slice(end);
  }
  return value;
}

function trimSuffix(value: string, pattern: string, longest: boolean): string {
  const starts = [...Array(value.length + 1).keys()];
  for (const start of longest ? starts : starts.reverse()) {
    if (matches(pattern, value.slice(start))) return value.slice(0, start);
  }
  return value;
}

function replace(op: string, value: string, pattern: string, replacement: string): string {
  if (op === '/#')
    return value.startsWith(pattern) ? replacement + value.slice(pattern.length) : value;
  if (op === '/%')
    return value.endsWith(pattern)
      ? value.slice(0, -pattern.length || undefined) + replacement
      : value;
  if (pattern === '') return value;
  return op === '//' ? value.split(pattern).join(replacement) : value.replace(pattern, replacement);
}
