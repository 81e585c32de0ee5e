import { SopsError } from '../errors.ts';
import { isInt64 } from '../go-format.ts';
import type { MapItem, TreeMap, TreeValue } from '../tree.ts';
import { isComment, str } from '../tree.ts';
import { utf8Text } from './utf8-text.ts';

/**
 * Deepest nesting of objects and arrays we read. The reader and the tree walks after it recurse
 * once per level, so a crafted file nested 10,000 deep overflowed the stack (RangeError); this
 * refuses it with a clear error instead. Real files nest a few dozen levels; the reader alone
 * overflowed near 2,500, hence the margin.
 */
export const MAX_JSON_DEPTH = 500;

class JsonReader {
  private pos = 0;
  private depth = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  fail(what: string): never {
    throw new SopsError('InvalidInput', `invalid JSON at offset ${this.pos}: ${what}`);
  }

  skip(): void {
    while (/[ \t\r\n]/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  readDocument(): TreeMap {
    this.skip();
    if (this.text[this.pos] !== '{') {
      throw new SopsError(
        'InvalidInput',
        'SOPS only supports JSON files with a top-level object (starting with "{")',
      );
    }
    const value = this.readValue() as TreeMap;
    this.skip();
    if (this.pos !== this.text.length) this.fail('unexpected data after the top-level object');
    return value;
  }

  readValue(): TreeValue {
    this.skip();
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      if (this.depth >= MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
      this.depth++;
      const value = c === '{' ? this.readObject() : this.readArray();
      this.depth--;
      return value;
    }
    if (c === '"') return str(this.readString());
    for (const [word, value] of [
      ['true', { type: 'bool', value: true }],
      ['false', { type: 'bool', value: false }],
      ['null', { type: 'null' }],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      this.text.slice(this.pos, this.pos + 400),
    );
    if (!match) this.fail('unexpected character');
    this.pos += match[0].length;
    // sops ≥ 3.13.2 types integral numbers in the int64 range as int, others as float.
    if (!match[2] && !match[3]) {
      const value = BigInt(match[0]);
      if (isInt64(value)) return { type: 'int', value };
    }
    return { type: 'float', value: Number(match[0]) };
  }

  readString(): string {
    const begin = this.pos;
    let i = begin + 1;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c) || c < 0x20) this.fail('bad string');
      if (c === 0x22) break;
      i += c === 0x5c ? 2 : 1;
    }
    this.pos = i + 1;
    try {
      return JSON.parse(this.text.slice(begin, this.pos)) as string;
    } catch {
      return this.fail('bad string escape');
    }
  }

  readObject(): TreeMap {
    this.pos++;
    const items: MapItem[] = [];
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { type: 'map', items };
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"') this.fail('expected an object key');
      const key = this.readString();
      this.skip();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      items.push({ key, value: this.readValue() });
      this.skip();
      const c = this.text[this.pos++];
      if (c === '}') return { type: 'map', items };
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  readArray(): TreeValue {
    this.pos++;
    const items: TreeValue[] = [];
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { type: 'seq', items };
    }
    for (;;) {
      items.push(this.readValue());
      this.skip();
      const c = this.text[this.pos++];
      if (c === ']') return { type: 'seq', items };
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }
}

/** Parses a JSON object keeping member order, duplicate members and integer precision. */
export function parseJson(bytes: Uint8Array): TreeMap {
  return new JsonReader(utf8Text(bytes)).readDocument();
}

/** A JSON string as Go's encoding/json writes it (HTML-safe escapes included). */
export function goJsonString(value: string): string {
  return JSON.stringify(value.toWellFormed()).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function goJsonFloat(value: number): string {
  if (!Number.isFinite(value)) throw new SopsError('InvalidInput', `cannot write ${value} as JSON`);
  if (Object.is(value, -0)) return '-0';
  // Go's encoding/json matches ECMAScript number formatting apart from -0.
  return String(value);
}

function emitValue(value: TreeValue, indent: string, depth: number): string {
  switch (value.type) {
    case 'map': {
      const items = value.items.filter((item): item is MapItem => !isComment(item));
      if (items.length === 0) return '{}';
      const pad = indent.repeat(depth + 1);
      const body = items.map(
        (item) => `${pad}${goJsonString(item.key)}: ${emitValue(item.value, indent, depth + 1)}`,
      );
      return `{\n${body.join(',\n')}\n${indent.repeat(depth)}}`;
    }
    case 'seq': {
      const items = value.items.filter((item): item is TreeValue => !isComment(item));
      if (items.length === 0) return '[]';
      const pad = indent.repeat(depth + 1);
      return `[\n${items.map((item) => pad + emitValue(item, indent, depth + 1)).join(',\n')}\n${indent.repeat(depth)}]`;
    }
    case 'str':
      return goJsonString(value.value);
    case 'time':
      return goJsonString(value.value);
    case 'int':
      return value.value.toString();
    case 'float':
      return goJsonFloat(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

/** Writes a branch as sops's JSON store does: indented (tab by default), final newline. */
export function emitJson(branch: TreeMap, indent = '\t'): Uint8Array {
  return Buffer.from(`${emitValue(branch, indent, 0)}\n`, 'utf8');
}
