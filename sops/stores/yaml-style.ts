import { formatFloatG } from '../go-format.ts';
import type { Scalar } from '../tree.ts';
import { resolvePlain } from './yaml-scalar.ts';

/** How go-yaml's emitter would write a scalar, and whether it needs a block. */
export type ScalarOut = { inline: string } | { block: string; header: string };

const OLD_BOOLS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

// go-yaml's is_printable: note 4-byte UTF-8 (astral plane) and U+0085 are not printable.
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

const FIRST_INDICATORS = '#,[]{}&*!|>\'"%@`';

function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || isLineBreak(c);
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

// A port of the decision logic of libyaml's yaml_emitter_analyze_scalar (block context).
function analyze(value: string): Analysis {
  if (value === '')
    return {
      multiline: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  // UTF-16 units rather than code points (a cold loop over a character array was a tenth of
  // a cold decrypt): the answers are the same, since an astral character is not printable
  // and neither is either half of it, and only one-unit characters matter to the rest.
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = value.charCodeAt(i);
    const followedByWhitespace = i === last || isBlank(value.charCodeAt(i + 1));
    if (i === 0) {
      if (FIRST_INDICATORS.includes(value[0] ?? '')) blockIndicators = true;
      if ((c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === 0x3a && followedByWhitespace) blockIndicators = true;
      if (c === 0x23 && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    const isBreak = isLineBreak(c);
    if (isBreak) lineBreaks = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak) {
      if (i === 0) leadingBreak = true;
      if (i === last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

function resolvesToString(value: string): boolean {
  try {
    return resolvePlain(value, '').type === 'str';
  } catch {
    return false;
  }
}

const ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\u0085': '\\N',
  '\u00a0': '\\_',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

function doubleQuoted(value: string): string {
  let out = '"';
  for (const c of value) {
    const cp = c.codePointAt(0) ?? 0;
    if (
      !isPrintable(cp) ||
      cp === 0xfeff ||
      c === '\n' ||
      c === '"' ||
      c === '\\' ||
      c === '\r' ||
      c === '\u2028' ||
      c === '\u2029'
    ) {
      const known = ESCAPES[c];
      if (known) out += known;
      else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
    } else {
      out += c;
    }
  }
  return `${out}"`;
}

function blockHeader(value: string, indent: number): string {
  let header = '|';
  if (value.startsWith(' ') || value.startsWith('\n')) header += String(indent);
  if (!value.endsWith('\n')) header += '-';
  else if (value.length === 1 || value.endsWith('\n\n')) header += '+';
  return header;
}

// A word of letters, digits and `_./=+,[]:-` that starts with a letter or `_` and does not
// end with `:` (most keys and values, and every ENC[…] envelope) cannot resolve to anything
// but a string unless it is one of YAML's null or boolean words, and has nothing the emitter
// must quote: go-yaml writes it plain. Deciding that with one regex skips the resolution and
// the character-by-character analysis, which were most of a cold emit.
const SIMPLE_WORD = /^[A-Za-z_][\w./=+,[\]:-]*$/;
const RESERVED_WORDS = new Set([
  ...OLD_BOOLS,
  'null',
  'Null',
  'NULL',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
]);

/** True when go-yaml writes the string plain for certain, without analysing it. */
export function isSimpleWord(value: string): boolean {
  return SIMPLE_WORD.test(value) && !value.endsWith(':') && !RESERVED_WORDS.has(value);
}

/** Formats a string as go-yaml v3 does for sops (`isKey`: simple-key context, no blocks). */
export function formatString(value: string, isKey: boolean, indent: number): ScalarOut {
  return isSimpleWord(value) ? { inline: value } : formatAnalyzed(value, isKey, indent);
}

/** {@link formatString} by go-yaml's own analysis, for every string. */
export function formatAnalyzed(value: string, isKey: boolean, indent: number): ScalarOut {
  const canUsePlain =
    resolvesToString(value) &&
    !OLD_BOOLS.has(value) &&
    !(value.includes(':') && BASE60_FLOAT.test(value));
  const analysis = analyze(value);
  let style: 'plain' | 'single' | 'double' | 'literal' = value.includes('\n')
    ? 'literal'
    : canUsePlain
      ? 'plain'
      : 'double';
  if (style === 'plain' && (!analysis.blockPlainAllowed || (value === '' && isKey)))
    style = 'single';
  if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!analysis.blockAllowed || isKey)) style = 'double';
  switch (style) {
    case 'plain':
      return { inline: value };
    case 'single':
      return { inline: `'${value.replaceAll("'", "''")}'` };
    case 'double':
      return { inline: doubleQuoted(value) };
    case 'literal':
      return { block: value, header: blockHeader(value, indent) };
  }
}

/** Formats a typed scalar as go-yaml v3 encodes the Go value sops holds. */
export function formatScalar(value: Scalar, indent: number): ScalarOut {
  switch (value.type) {
    case 'str':
      return formatString(value.value, false, indent);
    case 'int':
      return { inline: value.value.toString() };
    case 'float': {
      const text = formatFloatG(value.value);
      return {
        inline:
          text === '+Inf' ? '.inf' : text === '-Inf' ? '-.inf' : text === 'NaN' ? '.nan' : text,
      };
    }
    case 'bool':
      return { inline: value.value ? 'true' : 'false' };
    case 'time':
      return { inline: value.value };
    case 'null':
      return { inline: 'null' };
  }
}
