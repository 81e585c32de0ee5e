/** libyaml's character classes and scalar analysis (`yaml_emitter_analyze_scalar`). */

export interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

export const isBreak = (c: number | undefined): boolean =>
  c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
export const isSpace = (c: number | undefined): boolean => c === 0x20;
export const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
export const isBlankZ = (c: number | undefined): boolean =>
  isBlank(c) || isBreak(c) || c === 0 || c === undefined;
export const isPrintable = (c: number): boolean =>
  c === 0x0a ||
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

/** libyaml's `yaml_emitter_analyze_scalar`, over code points. */
export function analyzeScalar(chars: readonly number[]): ScalarAnalysis {
  if (chars.length === 0) {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const head = String.fromCodePoint(...chars.slice(0, 3));
  if (head === '---' || head === '...') {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as number;
    const followedByWhitespace = i + 1 >= chars.length || isBlank(chars[i + 1]);
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (',?[]{}'.includes(ch)) {
      flowIndicators = true;
    } else if (ch === ':') {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === '#' && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
  }
  const result: ScalarAnalysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (trailingSpace) result.blockAllowed = false;
  if (breakSpace) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
    result.blockAllowed = false;
  }
  if (lineBreaks) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (flowIndicators) result.flowPlainAllowed = false;
  if (blockIndicators) result.blockPlainAllowed = false;
  return result;
}

/** Bit of `asciiIndicators`: the text may not be a plain scalar in flow context. */
export const flowIndicator = 1;
/** Bit of `asciiIndicators`: the text may not be a plain scalar in block context. */
export const blockIndicator = 2;

/**
 * The indicator part of `analyzeScalar` for printable ASCII without a leading or trailing
 * space (nothing else there can forbid a style), as bits, without building the code point
 * array.
 */
export function asciiIndicators(text: string): number {
  const head = text.slice(0, 3);
  if (head === '---' || head === '...') return flowIndicator | blockIndicator;
  let bits = 0;
  const last = text.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = text.charCodeAt(i);
    const kind = asciiKinds[c] as number;
    if (kind === 0) continue;
    const followedBySpace = i === last || text.charCodeAt(i + 1) === 0x20;
    if (i === 0) {
      if ((kind & firstIndicator) !== 0) return flowIndicator | blockIndicator;
      if (c === 0x3f || c === 0x3a) {
        bits |= followedBySpace ? flowIndicator | blockIndicator : flowIndicator;
      } else if (c === 0x2d && followedBySpace) return flowIndicator | blockIndicator;
    } else if ((kind & innerFlowIndicator) !== 0) bits |= flowIndicator;
    else if (c === 0x3a) bits |= followedBySpace ? flowIndicator | blockIndicator : flowIndicator;
    else if (c === 0x23 && text.charCodeAt(i - 1) === 0x20) {
      return flowIndicator | blockIndicator;
    }
  }
  return bits;
}

const firstIndicator = 1;
const innerFlowIndicator = 2;
const otherIndicator = 4;

/**
 * Per ASCII code: indicator first (`#,[]{}&*!|>'"%@` and backquote), inside (`,?[]{}`), other
 * (`?:-#`).
 */
const asciiKinds = kindTable();

function kindTable(): Uint8Array {
  const table = new Uint8Array(128);
  const mark = (chars: string, bit: number): void => {
    for (const ch of chars) {
      const code = ch.charCodeAt(0);
      table[code] = (table[code] ?? 0) | bit;
    }
  };
  mark('#,[]{}&*!|>\'"%@`', firstIndicator);
  mark(',?[]{}', innerFlowIndicator);
  mark('?:-#', otherIndicator);
  return table;
}
