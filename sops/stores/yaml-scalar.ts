import { SopsError } from '../errors.ts';
import { isInt64, parseGoFloat } from '../go-format.ts';
import type { Scalar } from '../tree.ts';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
const NANS = new Set(['.nan', '.NaN', '.NAN']);
const INFINITIES = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
const NEGATIVE_INFINITIES = new Set(['-.inf', '-.Inf', '-.INF']);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?[ \t]*(Z|[+-]\d{1,2}(?::?\d{2})?)?)?$/;

/** Go's RFC 3339 nano text for a parsed YAML timestamp (fraction trimmed, Z for UTC). */
function timestampText(match: RegExpExecArray): string | undefined {
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const pad = (v: string | undefined) => (v ?? '0').padStart(2, '0');
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  if (Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return undefined;
  if (h === undefined) return `${date}T00:00:00Z`;
  const fraction = (frac ?? '').slice(0, 9).replace(/0+$/, '');
  let offset = 'Z';
  if (zone && zone !== 'Z') {
    const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
    const hours = pad(m?.[2]);
    const minutes = m?.[3] ?? '00';
    offset = hours === '00' && minutes === '00' ? 'Z' : `${m?.[1]}${hours}:${minutes}`;
  }
  return `${date}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction ? `.${fraction}` : ''}${offset}`;
}

// strconv.ParseInt(s, 0, 64): sign, then 0x / 0o / 0b / leading-0 octal or decimal.
function parseGoIntBase0(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  let body = m[2] ?? '';
  if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
  else if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  const value = BigInt(body) * (m[1] === '-' ? -1n : 1n);
  return value;
}

/** Resolves a plain YAML scalar the way go-yaml v3 does (used by sops for every value). */
export function resolvePlain(text: string, where: string): Scalar {
  if (NULLS.has(text)) return { type: 'null' };
  if (TRUES.has(text)) return { type: 'bool', value: true };
  if (FALSES.has(text)) return { type: 'bool', value: false };
  if (NANS.has(text)) return { type: 'float', value: Number.NaN };
  if (INFINITIES.has(text)) return { type: 'float', value: Number.POSITIVE_INFINITY };
  if (NEGATIVE_INFINITIES.has(text)) return { type: 'float', value: Number.NEGATIVE_INFINITY };
  const first = text[0] ?? '';
  if (/[0-9+\-.]/.test(first)) {
    const ts = /^\d{4}-/.test(text) ? TIMESTAMP.exec(text) : null;
    if (ts) {
      const value = timestampText(ts);
      if (value) return { type: 'time', value };
    }
    const plain = text.replaceAll('_', '');
    const int = parseGoIntBase0(plain);
    if (int !== undefined) {
      if (isInt64(int)) return { type: 'int', value: int };
      if (int >= 0n && int < 2n ** 64n) {
        throw new SopsError(
          'InvalidInput',
          `${where}: integer ${text.length > 24 ? 'value' : text} does not fit in int64 (sops: "Cannot walk value, unknown type: uint64")`,
        );
      }
    }
    if (YAML_FLOAT.test(plain) || first === '.') {
      const value = parseGoFloat(plain);
      if (value !== undefined) return { type: 'float', value };
    }
  }
  return { type: 'str', value: text };
}

/** Resolves a scalar with an explicit `!!type` tag. */
export function resolveTagged(text: string, tag: string, where: string): Scalar {
  switch (tag) {
    case 'tag:yaml.org,2002:str':
      return { type: 'str', value: text };
    case 'tag:yaml.org,2002:binary': {
      const bytes = Buffer.from(text.replace(/\s+/g, ''), 'base64');
      return { type: 'str', value: bytes.toString('utf8'), bytes };
    }
    case 'tag:yaml.org,2002:null':
      return { type: 'null' };
    default: {
      const value = resolvePlain(text, where);
      return value;
    }
  }
}
