/** Go's number formatting and go-yaml v2's map key order, as kustomize's output uses them. */

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` with yaml's names for the infinities. */
function formatGoFloatG(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  // strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form below 1e-4 and from 1e6.
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return formatPlainDecimal(value);
}

function formatPlainDecimal(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

/**
 * A float after kustomize's JSON round trip: `json.Marshal` writes integral values without a
 * fraction, and go-yaml v2 then reads them back as integers.
 */
export function formatFloatForOutput(value: number): string {
  if (Number.isFinite(value) && Number.isInteger(value) && Math.abs(value) < 1e21) {
    const asInt = BigInt(value);
    if (asInt >= -(2n ** 63n) && asInt < 2n ** 64n) return asInt.toString();
  }
  return formatGoFloatG(value);
}

const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

const isLetterChar = (ch: string): boolean => {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return /\p{L}/u.test(ch);
};

const isDigitChar = (ch: string | undefined): boolean => {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  if (c < 0x80) return c >= 48 && c <= 57;
  return /\p{Nd}/u.test(ch);
};

/** Go's sort of map keys in go-yaml v2 (`keyList.Less`): letters before digits, numbers by value. */
export function compareGoYamlKeys(a: string, b: string): number {
  if (a === b) return 0;
  // The common case, decided at the first difference without building anything: two ASCII
  // characters that are not digits (digits compare whole numbers, which look around them).
  const shorter = Math.min(a.length, b.length);
  let i = 0;
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i < shorter) {
    const ac = a.charCodeAt(i);
    const bc = b.charCodeAt(i);
    if (ac < 0x80 && bc < 0x80 && !isAsciiDigit(ac) && !isAsciiDigit(bc)) {
      const al = isAsciiLetter(ac);
      const bl = isAsciiLetter(bc);
      if (al !== bl) return bl ? -1 : 1;
      return ac - bc;
    }
  }
  // Go compares runes: without surrogate pairs, code units are runes and the strings index
  // like rune arrays, with no array built per comparison.
  if (surrogate.test(a) || surrogate.test(b)) return compareRunes(Array.from(a), Array.from(b));
  return compareRunes(a, b);
}

const surrogate = /[\ud800-\udfff]/;

function compareRunes(ar: ArrayLike<string>, br: ArrayLike<string>): number {
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetterChar(ac);
    const bl = isLetterChar(bc);
    if (al && bl) return (ac.codePointAt(0) as number) - (bc.codePointAt(0) as number);
    if (al || bl) return bl ? -1 : 1;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigitChar(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigitChar(ar[ai]); ai++)
      an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigitChar(br[bi]); bi++)
      bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai - bi;
    return (ac.codePointAt(0) as number) - (bc.codePointAt(0) as number);
  }
  return ar.length - br.length;
}
