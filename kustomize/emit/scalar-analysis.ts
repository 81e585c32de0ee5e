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
