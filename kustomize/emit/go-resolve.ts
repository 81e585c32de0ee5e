/**
 * The plain-scalar resolution of go-yaml (v2 on the way out, v3 on the way in), which differ
 * only in v2 also reading YAML 1.1 booleans (`yes`, `on`, `y` …). kustomize reads resources
 * with v3 and prints them with v2, so both are needed to know what is quoted.
 */

const v3Map = new Map<string, 'bool' | 'null' | 'float'>([
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'].map((s) => [s, 'bool'] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, 'null'] as const),
  ...[
    '.nan',
    '.NaN',
    '.NAN',
    '.inf',
    '.Inf',
    '.INF',
    '+.inf',
    '+.Inf',
    '+.INF',
    '-.inf',
    '-.Inf',
    '-.INF',
  ].map((s) => [s, 'float'] as const),
]);

const v2Bools = [
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
];

/** First letters of the words in `v3Map` and `v2Bools` (t f n y o, either case). */
const wordInitials = Array.from('tTfFnNyYoO', (ch) => ch.charCodeAt(0));

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;

/** What a plain scalar resolves to. */
export type Resolved =
  | { tag: 'str' }
  | { tag: 'null' }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: bigint }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp' }
  | { tag: 'merge' };

// Shared answers for the common cases, so that resolving a string allocates nothing.
const strResult: Resolved = { tag: 'str' };
const nullResult: Resolved = { tag: 'null' };
const trueResult: Resolved = { tag: 'bool', value: true };
const falseResult: Resolved = { tag: 'bool', value: false };
const timestampResult: Resolved = { tag: 'timestamp' };

/** Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`, as one bigint (range checked by caller). */
function parseGoInt(text: string): bigint | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(
    text,
  );
  if (match === null) return undefined;
  const sign = match[1] === '-' ? -1n : 1n;
  const digits = match[2] ?? '';
  let value: bigint;
  if (/^0[xXbBoO]/.test(digits)) value = BigInt(`0${digits[1]?.toLowerCase()}${digits.slice(2)}`);
  else if (digits.length > 1 && digits.startsWith('0')) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  return sign * value;
}

function inIntRange(value: bigint, allowUnsigned: boolean): boolean {
  if (value >= int64Min && value <= int64Max) return true;
  return allowUnsigned && value >= 0n && value <= uint64Max;
}

const timestampPattern =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:([Tt])| )([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;

/**
 * Go's `time.Parse` on yaml's timestamp layouts, then `json.Marshal` of the time (RFC 3339 with
 * nanoseconds, trailing zeros dropped): kyaml decodes a plain `2001-12-14` into a `time.Time`,
 * so kustomize prints it as `"2001-12-14T00:00:00Z"`.
 */
export function formatGoTimestamp(text: string): string | undefined {
  // Every timestamp starts with four digits and a dash: most texts fail here, before the regex.
  if (text.length < 8 || text.charCodeAt(4) !== 0x2d) return undefined;
  const m = timestampPattern.exec(text);
  if (m === null) return undefined;
  const [, year, month, day, t, hour, minute, second, fraction, zone] = m;
  const hasTime = hour !== undefined;
  // "T"/"t" layouts need a zone; the space layout takes none.
  if (hasTime && (t !== undefined) !== (zone !== undefined)) return undefined;
  const num = (s: string | undefined): number => Number(s ?? '0');
  if (num(month) < 1 || num(month) > 12 || num(day) < 1 || num(day) > 31) return undefined;
  if (num(hour) > 23 || num(minute) > 59 || num(second) > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(num(year), num(month), 0)).getUTCDate();
  if (num(day) > daysInMonth) return undefined;
  const two = (s: string | undefined): string => String(num(s)).padStart(2, '0');
  const frac = (fraction ?? '').slice(0, 9).replace(/0+$/, '');
  const offset = zone === undefined || zone === 'Z' || /^[-+]00:00$/.test(zone) ? 'Z' : zone;
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${frac ? `.${frac}` : ''}${offset}`;
}

function isTimestamp(text: string): boolean {
  return formatGoTimestamp(text) !== undefined;
}

/**
 * Characters that can occur in a timestamp, an integer (any base) or a float; a text with any
 * other is a string, known without running the patterns (each costs a compile when first run,
 * which a one-shot process pays in full).
 */
const numericChars = new Set(
  Array.from('0123456789abcdefABCDEF+-._:xXoOtTZ ', (ch) => ch.charCodeAt(0)),
);

function resolveNumeric(text: string): Resolved {
  for (let i = 0; i < text.length; i++) {
    if (!numericChars.has(text.charCodeAt(i))) return strResult;
  }
  if (isTimestamp(text)) return timestampResult;
  const plain = text.replaceAll('_', '');
  const asInt = parseGoInt(plain);
  if (asInt !== undefined && inIntRange(asInt, !plain.startsWith('-')))
    return { tag: 'int', value: asInt };
  if (yamlStyleFloat.test(plain)) return { tag: 'float', value: Number(plain) };
  return strResult;
}

function resolveWith(text: string, isV2: boolean): Resolved {
  const first = text.charCodeAt(0);
  if (Number.isNaN(first)) return nullResult;
  // A letter other than those starting YAML 1.1/1.2 words, or a text longer than those words
  // (five letters at most): a string, the common case.
  if (
    ((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a)) &&
    (text.length > 5 || !wordInitials.includes(first))
  ) {
    return strResult;
  }
  if (text === '<<') return { tag: 'merge' };
  const known = v3Map.get(text);
  if (known === 'bool') return /^t/i.test(text) ? trueResult : falseResult;
  if (known === 'null') return nullResult;
  if (known === 'float') {
    const value =
      text.endsWith('nan') || text.endsWith('NaN') || text.endsWith('NAN')
        ? Number.NaN
        : text.startsWith('-')
          ? -Infinity
          : Infinity;
    return { tag: 'float', value };
  }
  if (isV2 && v2Bools.includes(text))
    return /^[yo]/i.test(text) && text.toLowerCase() !== 'off' ? trueResult : falseResult;
  if (first === 0x2e) {
    return yamlStyleFloat.test(text) ? { tag: 'float', value: Number(text) } : strResult;
  }
  if (first === 0x2d || first === 0x2b || (first >= 0x30 && first <= 0x39)) {
    return resolveNumeric(text);
  }
  return strResult;
}

/** How yaml.v3 (kyaml) reads a plain scalar. */
export function resolvePlainV3(text: string): Resolved {
  return resolveWith(text, false);
}

/** How go-yaml v2 (YAML 1.1 booleans) reads a plain scalar; kustomize reads kustomization files so. */
export function resolvePlainV2(text: string): Resolved {
  return resolveWith(text, true);
}

/** Whether go-yaml v2 may print this string unquoted: it must read back as a string. */
export function canPrintPlainV2(text: string): boolean {
  if (resolveWith(text, true).tag !== 'str') return false;
  // A base-60 float starts with a sign or a digit.
  const first = text.charCodeAt(0);
  const mayBeBase60 = first === 0x2d || first === 0x2b || (first >= 0x30 && first <= 0x39);
  return !(mayBeBase60 && base60Float.test(text));
}
