import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/harness/seeded-random.ts';
import type { TreeMap } from '../tree.ts';
import { composeYaml, readLinesYaml, readPlainYaml, tokenize } from './yaml-parse.ts';

type Outcome = { branches: TreeMap[] } | { error: string };

/** What `parseYaml` answered before the line reader: the token paths. */
function reference(text: string): Outcome {
  try {
    const { tokens, comments } = tokenize(text);
    return {
      branches: readPlainYaml(text, tokens, comments) ?? composeYaml(text, tokens, comments),
    };
  } catch (error) {
    return { error: String(error) };
  }
}

/** The line reader's answer must be the token paths' whenever it gives one. */
function expectSameAsReference(text: string): TreeMap[] | undefined {
  const fast = readLinesYaml(text);
  if (fast !== undefined)
    expect({ branches: fast }, JSON.stringify(text)).toStrictEqual(reference(text));
  return fast;
}

const SOPS_FILE = `service0:
    key0: ENC[AES256_GCM,data:Mkbw7/Ok/rPdxez36RSvaakhbN4OWaQ2zkTNiPr3,iv:P7ERF5GlhdBcInygQRhIkT7Oxcq+AWWeYngqvRsq7mw=,tag:qFUpbbFb5ah8AwgMqaLi1Q==,type:str]
    list:
        - ENC[AES256_GCM,data:EIFS,iv:UXsToTJgcK6dmGpaJGRGGA0QxveIlLvWbALM+2htOkY=,tag:3BFouyUqghJ/j65gjyd7YQ==,type:int]
        - name: ENC[AES256_GCM,data:hElK,iv:c/F5cQtPTxQU6OqZCYkGxRHAes8rVLI5Va2E5X86RRk=,tag:PjRQr9M/YNvJpbL6p1SZxA==,type:str]
          port_unencrypted: 8080
sops:
    age:
        - recipient: age1j3k8d38v7djzlstdgr8jxxexvw7d8aesl9apuv5y60kv5uq0galqwhjenx
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBUYVpNZ3VEWmRHL1crR1Mx
            U0+B8ix+MFoaYUv46TZRU2RAAPjw9Hc197yHPRWVCfu+NuUPLShd+Q==
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-11-27T15:40:53Z"
    mac: ENC[AES256_GCM,data:WNFK,iv:99ykekbpKoFpakFlCkt3SHAd4nvfyGgPOMzmTs/Fa6Q=,tag:lMhD+X/BYESowT9bcRRwFA==,type:str]
    unencrypted_suffix: _unencrypted
    version: 3.13.3
`;

describe('YAML read line by line', () => {
  it.each([
    { name: 'a file written by sops', input: SOPS_FILE },
    { name: 'nested maps and scalars', input: 'a: 1\nb:\n  c: x\n  d: true\n' },
    { name: 'a sequence at its key’s indentation', input: 'a:\n- b: 1\n  c: 2\n- x\nd: 3\n' },
    { name: 'a sequence in a compact map', input: 'a:\n  - b:\n    - 1\n    c: 2\n' },
    { name: 'quoted keys and values', input: "\"a b\": 'c''d'\n'e': \"f\\tg\\\"h\"\n" },
    { name: 'literal block scalars', input: 'a: |\n  x\n    y\nb: |-\n  p\n\nc: 1\n' },
    { name: 'a literal block scalar in a sequence', input: 'a:\n  - |\n    x\n  - y\n' },
    { name: 'empty values', input: 'a:\nb: ~\nc:\n- \n- null\n-\n' },
    { name: 'several documents', input: '---\na: 1\n---\nb: 2\n' },
    { name: 'empty documents', input: '---\n---\na: 1\n---\n' },
    { name: 'only blank lines', input: '\n  \n' },
    { name: 'no final line break', input: 'a:\n  b: c' },
    { name: 'trailing spaces', input: 'a:  \n  b: c  \n  d: "e"  \n' },
    {
      name: 'typed scalars',
      input: 'i: 0x1f\nf: 1.5e3\nt: 2001-12-14\nn: .nan\ns: "1"\nb: False\n',
    },
    { name: 'unicode', input: 'ключ: значение\n日本: "語 #"\n' },
    { name: 'a comment line', input: '# c\na: 1\n' },
    { name: 'a trailing comment', input: 'a: 1 # c  \n' },
    { name: 'a comment after a quoted value', input: 'a: "1" # c\n' },
    {
      name: 'comments at many places',
      input:
        '# top\n\na: 1 # x\n# mid\nb:\n  # in\n  - c # y\n  # after\n  - d:\n      e: f\n# end\n',
    },
    { name: 'a comment after a dash', input: 'a:\n- # c\n  b: x\n- d\n' },
    { name: 'comments in nested sequences', input: 'a:\n  - # c\n    - x\n  - y # z\n' },
    { name: 'a comment after a block scalar header', input: 'a: | # x\n  b\n# c\n' },
    { name: 'a comment after a key', input: 'a: # x\n  b: 1 # y\n    # deep\nc: 2\n' },
    { name: 'comments only', input: '# a\n# b\n' },
    { name: 'a comment in an empty document', input: '---\n# a\n' },
    {
      name: 'a file sops wrote with encrypted comments',
      input: `#ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:comment]\n${SOPS_FILE}`,
    },
    { name: 'indicators inside plain values', input: 'a: b#c\nd: http://x:y\ne: -1\nf: x, [y]\n' },
  ])('$name is read as the token paths read it', ({ input }) => {
    expect(expectSameAsReference(input)).toBeDefined();
  });

  it.each([
    { name: 'an anchor and an alias', input: 'a: &x 1\nb: *x\n' },
    { name: 'a tag', input: 'a: !!binary aGk=\n' },
    { name: 'a flow sequence', input: 'a: [1, 2]\n' },
    { name: 'a flow mapping', input: 'a: {b: 1}\n' },
    { name: 'a folded block scalar', input: 'a: >\n  x\n  y\n' },
    { name: 'a kept block scalar', input: 'a: |+\n  x\n\n' },
    { name: 'an indentation indicator', input: 'a: |2\n   x\n' },
    { name: 'a blank line inside a block scalar', input: 'a: |\n  x\n\n  y\n' },
    { name: 'a block scalar without a final line break', input: 'a: |\n  x' },
    { name: 'a multi-line plain scalar', input: 'a: b\n  c\n' },
    { name: 'a multi-line quoted scalar', input: 'a: "b\n  c"\n' },
    { name: 'a tab', input: 'a:\tb\n' },
    { name: 'CRLF line breaks', input: 'a: b\r\nc: d\r\n' },
    { name: 'a byte order mark', input: '\ufeffa: b\n' },
    { name: 'a duplicate key', input: 'a: 1\na: 2\n' },
    { name: 'a quoted duplicate key', input: 'a: 1\n"a": 2\n' },
    { name: 'a merge key', input: '<<: 1\n' },
    { name: 'a key that is not a string', input: '1: a\n' },
    { name: 'an integer beyond uint64', input: 'a: 18446744073709551615\n' },
    { name: 'a directive', input: '%YAML 1.2\n---\na: 1\n' },
    { name: 'a document end marker', input: 'a: 1\n...\n' },
    { name: 'a top-level sequence', input: '- a\n' },
    { name: 'a top-level scalar', input: 'a\n' },
    { name: 'an indented top level', input: '  a: 1\n' },
    { name: 'odd indentation', input: 'a:\n  b: 1\n   c: 2\n' },
    { name: 'a compact nested sequence', input: 'a:\n- - x\n' },
    { name: 'a mapping on a value line', input: 'a: b: c\n' },
    { name: 'an unknown escape', input: 'a: "\\x41"\n' },
    { name: 'an explicit key', input: '? a\n: b\n' },
    { name: 'a scalar item after a comment', input: 'a:\n-   # c\n    b\n' },
    { name: 'comments in several documents', input: 'a: 1 # x\n---\nb: 2\n' },
    { name: 'a comment without a space before it', input: 'a: "b"# c\n' },
    { name: 'a comment on a document start', input: '--- # c\na: 1\n' },
  ])('$name is left to the token paths', ({ input }) => {
    expect(readLinesYaml(input)).toBeUndefined();
  });

  it('agrees with the token paths on a generated corpus', () => {
    const random = seededRandom(20261127);
    let taken = 0;
    let withComments = 0;
    const total = 3000;
    for (let n = 0; n < total; n++) {
      const read = expectSameAsReference(generateDocument(random));
      if (read !== undefined) taken++;
      if (read !== undefined && JSON.stringify(read, bigints).includes('"comment"')) withComments++;
    }
    // The corpus must exercise the line reader, not only its refusals.
    expect(taken).toBeGreaterThan(total / 5);
    expect(withComments).toBeGreaterThan(total / 20);
    expect(taken).toBeLessThan(total);
  });
});

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? String(value) : value;
}

// Values of the subset, and near-subset ones (indicators, comments, numbers out of range…).
const SAFE = [
  'abc',
  'a b',
  'a#b',
  '~',
  'null',
  'true',
  'False',
  'yes',
  '123',
  '-7',
  '0x1f',
  '1.5',
  '1e3',
  '.inf',
  '.nan',
  '2001-12-14',
  '-a',
  'ünï',
  '日本語',
  'http://x/y',
  'a:b',
  "it's",
  'say "hi"',
  '',
  'ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC==,type:str]',
  'a  b',
  'a\\nb',
  'a,b',
];
const EDGY = [
  'a #b',
  'a: b',
  'x:',
  'Null',
  '0o17',
  '017',
  '1_000',
  '.5',
  '-.Inf',
  '2001-12-14T21:59:43.10-05:00',
  '-',
  '- a',
  '? x',
  ': x',
  ':x',
  '#x',
  '@x',
  '`x',
  '%x',
  '!x',
  '&x',
  '*x',
  '[a]',
  '{a}',
  '|',
  '>',
  '18446744073709551615',
  '9223372036854775807',
  '9223372036854775808',
  '<<',
];
const PLAIN = [...SAFE, ...EDGY];
const KEYS = ['a', 'b', 'key', 'my-key', 'x.y', 'a b', 'ключ', 'a#b', 'k:v', '-k', 'a"b'];
const EDGY_KEYS = ['1', 'null', 'true', '<<', 'a #b', '? a', '[a]', 'x '];
const ESCAPES_IN_QUOTES = [
  '\\\\',
  '\\"',
  '\\n',
  '\\t',
  '\\/',
  '\\x41',
  '\\u00e9',
  '\\0',
  '\\ ',
  '\\a',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function scalarText(random: () => number, indent: number): string {
  const r = random();
  if (r < 0.5) return pick(random, SAFE);
  if (r < 0.55) return pick(random, EDGY);
  if (r < 0.7) {
    const body = pick(random, PLAIN) + (random() < 0.3 ? "'" : '') + pick(random, PLAIN);
    return `'${body.replaceAll("'", random() < 0.9 ? "''" : "'")}'`;
  }
  if (r < 0.88) {
    let body = pick(random, PLAIN).replaceAll('\\', '\\\\').replaceAll('"', '\\"');
    if (random() < 0.4) body += pick(random, ESCAPES_IN_QUOTES);
    if (random() < 0.05) body += `${'\n'.padEnd(indent + 2, ' ')}more`;
    return `"${body}"`;
  }
  const header = pick(random, ['|', '|-', '|', '|-', '|', '|-', '|+', '>', '|2', '| ', '|-  ']);
  const pad = ' '.repeat(indent + pick(random, [2, 2, 4, 0, 1]));
  const lines = [pick(random, PLAIN), `  ${pick(random, PLAIN)}`, pick(random, PLAIN)]
    .slice(0, 1 + Math.floor(random() * 3))
    .map((line) => (line === '' ? '' : pad + line));
  if (random() < 0.15) lines.splice(1, 0, '');
  if (random() < 0.2) lines.push('');
  return `${header}\n${lines.join('\n')}`;
}

function keyText(random: () => number): string {
  const key = pick(random, random() < 0.05 ? EDGY_KEYS : KEYS);
  const r = random();
  if (r < 0.1) return `"${key.replaceAll('"', '\\"')}"`;
  if (r < 0.15) return `'${key}'`;
  return key;
}

function mapLines(random: () => number, indent: number, depth: number): string[] {
  const out: string[] = [];
  const step = pick(random, [2, 4, 2, 1]);
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const key = `${' '.repeat(indent)}${keyText(random)}${i === 0 || random() < 0.9 ? '' : `${i}`}`;
    out.push(...valueLines(random, key, indent, step, depth));
  }
  return out;
}

function valueLines(
  random: () => number,
  head: string,
  indent: number,
  step: number,
  depth: number,
): string[] {
  const r = random();
  if (depth < 4 && r < 0.25) return [`${head}:`, ...mapLines(random, indent + step, depth + 1)];
  if (depth < 4 && r < 0.45) {
    const at = indent + (random() < 0.4 ? 0 : step);
    return [`${head}:`, ...seqLines(random, at, depth + 1)];
  }
  if (r < 0.5) return [`${head}:`];
  return [`${head}: ${scalarText(random, indent)}`];
}

function seqLines(random: () => number, indent: number, depth: number): string[] {
  const out: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const dash = `${' '.repeat(indent)}-`;
    const r = random();
    if (depth < 4 && r < 0.3) {
      const [first = '', ...rest] = mapLines(random, indent + 2, depth + 1);
      out.push(`${dash} ${first.slice(indent + 2)}`, ...rest);
    } else if (depth < 4 && r < 0.4) {
      out.push(dash, ...mapLines(random, indent + 2, depth + 1));
    } else if (depth < 4 && r < 0.45) {
      out.push(`${dash} - ${pick(random, PLAIN)}`);
    } else if (r < 0.5) out.push(dash);
    else out.push(`${dash} ${scalarText(random, indent)}`);
  }
  return out;
}

/** A document from the subset, then perhaps one near-subset change. */
function generateDocument(random: () => number): string {
  const docs = random() < 0.15 ? 2 : 1;
  let lines: string[] = [];
  for (let d = 0; d < docs; d++) {
    if (d > 0 || random() < 0.1) lines.push('---');
    lines.push(...mapLines(random, 0, 0).flatMap((line) => line.split('\n')));
  }
  // Comments at random places: full lines at any column, and after values.
  for (let c = random() < 0.35 ? 1 + Math.floor(random() * 3) : 0; c > 0; c--) {
    const where = Math.floor(random() * (lines.length + 1));
    if (random() < 0.5)
      lines.splice(where, 0, `${' '.repeat(Math.floor(random() * 6))}#${pick(random, SAFE)}`);
    else if (where < lines.length)
      lines[where] = `${lines[where]}${pick(random, [' ', '  ', ''])}# ${pick(random, SAFE)}`;
  }
  const change = random();
  const at = Math.floor(random() * lines.length);
  const line = lines[at] ?? '';
  if (change < 0.08) lines[at] = `${line} # note`;
  else if (change < 0.14) lines.splice(at, 0, `${' '.repeat(Math.floor(random() * 4))}# note`);
  else if (change < 0.2) lines[at] = `${line}   `;
  else if (change < 0.24) lines[at] = ` ${line}`;
  else if (change < 0.27) lines[at] = line.replace(' ', '\t');
  else if (change < 0.3) lines = lines.map((l) => `${l}\r`);
  else if (change < 0.34) lines.splice(at, 0, '');
  const text = lines.join('\n');
  return random() < 0.1 ? text : `${text}\n`;
}
