import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TreeMap } from '../tree.ts';
import { composeYaml, parseYaml, readPlainYaml, tokenize } from './yaml-parse.ts';

type Outcome = { branches: TreeMap[] } | { error: string };

/** Both paths on one text: the CST walk (when it takes it) and the composed documents. */
function bothPaths(text: string): { fast: TreeMap[] | undefined; full: Outcome } {
  const { tokens, comments } = tokenize(text);
  const fast = readPlainYaml(text, tokens, comments);
  let full: Outcome;
  try {
    full = { branches: composeYaml(text, tokens, comments) };
  } catch (error) {
    full = { error: String(error) };
  }
  return { fast, full };
}

describe('plain YAML read from the CST', () => {
  it.each([
    { name: 'nested maps and scalars', input: 'a: 1\nb:\n  c: x\n  d: true\n', fast: true },
    { name: 'sequences of maps', input: 'a:\n- b: 1\n  c: 2\n- - x\n  - ""\n', fast: true },
    { name: 'quoted keys and values', input: '"a b": \'c\'\n\'d\': "e\\tf"\n', fast: true },
    { name: 'block scalars', input: 'a: |\n  x\n  y\nb: >-\n  p\n  q\nc: |+\n  z\n\n', fast: true },
    { name: 'empty values', input: 'a:\nb: ~\nc:\n- \n- null\n', fast: true },
    { name: 'multi-line plain value', input: 'a: one\n  two\nb: 2\n', fast: true },
    { name: 'several documents', input: '---\na: 1\n---\nb: 2\n', fast: true },
    { name: 'an empty document', input: '---\n---\na: 1\n', fast: true },
    { name: 'only blank lines', input: '\n\n', fast: true },
    {
      name: 'typed scalars',
      input: 'i: 0x1f\nf: 1.5e3\nt: 2001-12-14\nn: .nan\ns: "1"\n',
      fast: true,
    },
    { name: 'a duplicate key goes the full way', input: 'a: 1\na: 2\n', fast: false },
    { name: 'a quoted duplicate key goes the full way', input: 'a: 1\n"a": 2\n', fast: false },
    { name: 'a non-string key goes the full way', input: '1: a\n', fast: false },
    { name: 'a merge key goes the full way', input: 'a: &x\n  b: 1\nc:\n  <<: *x\n', fast: false },
    { name: 'a tag goes the full way', input: 'a: !!binary aGk=\n', fast: false },
    { name: 'a flow collection goes the full way', input: 'a: [1, 2]\nb: {}\n', fast: false },
    {
      name: 'comments',
      input:
        '# top\n\na: 1 # x\n# mid\nb:\n  # in\n  - c # y\n  # after\n  - d:\n      e: f\n# end\n',
      fast: true,
    },
    { name: 'a comment after a dash', input: 'a:\n- # c\n  b: x\n- d\n', fast: true },
    { name: 'a comment beside a dash', input: 'a:\n-   # c\n    b\n', fast: true },
    {
      name: 'comments in nested sequences',
      input: 'a:\n  - # c\n    - x\n  - y # z\n',
      fast: true,
    },
    { name: 'comments after a block scalar header', input: 'a: | # x\n  b\n# c\n', fast: true },
    {
      name: 'comments in several documents go the full way',
      input: 'a: 1 # x\n---\nb: 2\n',
      fast: false,
    },
    {
      name: 'a comment by an empty item goes the full way',
      input: 'a:\n- # x\n- b\n',
      fast: false,
    },
    {
      name: 'an int64 overflow goes the full way',
      input: 'a: 18446744073709551615\n',
      fast: false,
    },
    { name: 'a bad escape goes the full way', input: 'a: "\\q"\n', fast: false },
    { name: 'a sequence document goes the full way', input: '- a\n', fast: false },
    { name: 'a scalar document goes the full way', input: 'a\n', fast: false },
    { name: 'a compact nested map goes the full way', input: 'a: b: c\n', fast: false },
    { name: 'bad indentation goes the full way', input: 'a:\n  b: 1\n c: 2\n', fast: false },
    { name: 'a tab indent goes the full way', input: 'a:\n\tb: 1\n', fast: false },
    { name: 'a directive goes the full way', input: '%YAML 1.2\n---\na: 1\n', fast: false },
  ])('$name', ({ input, fast }) => {
    const result = bothPaths(input);
    expect(result.fast !== undefined).toBe(fast);
    if (result.fast !== undefined) expect(result.full).toEqual({ branches: result.fast });
    const parsed = (): TreeMap[] => parseYaml(Buffer.from(input));
    if ('branches' in result.full) expect(parsed()).toEqual(result.full.branches);
    else expect(parsed).toThrow(result.full.error.replace(/^\w+: /, ''));
  });

  it('gives what the composed documents give, on every YAML file of the repository', () => {
    const files = yamlFiles(join(import.meta.dirname, '..', '..'));
    expect(files.length).toBeGreaterThan(50);
    let taken = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const variant of [text, withoutComments(text)]) {
        const { fast, full } = bothPaths(variant);
        if (fast === undefined) continue;
        taken++;
        expect(full, file).toEqual({ branches: fast });
      }
    }
    expect(taken).toBeGreaterThan(50);
  });

  it('never answers where the composed documents fail or differ, on damaged YAML', () => {
    // Deterministic damage (a character dropped, doubled or replaced) of small inputs.
    const seeds = [
      'a: 1\nb:\n  c: "x\\ty"\n  d:\n  - e\n  - f: g\n    h: |\n      lit\n      more\n',
      '---\nkind: Secret\ndata:\n  k: v\nlist:\n- 1\n- "2"\n- \'3\'\n---\nb: >\n  folded\n',
      "key: 'it''s'\nother: \"q\"\nempty:\nnum: 010\nts: 2001-12-14t21:59:43.10-05:00\n",
      '# head\na: 1 # one\n# between\nb:\n  # first\n  - c # two\n  # last\n  - d: e\n    f: g\n# foot\n',
      'a:\n  b:\n    # deep\n    c: 1\n  # back\n  d: |\n    x\n  # after block\ne: 2 #tight\n',
    ];
    const replacements = [
      ' ',
      '\n',
      ':',
      '-',
      '"',
      "'",
      '\t',
      '|',
      '>',
      '&',
      '*',
      '!',
      '[',
      '{',
      '#',
    ];
    let random = 42;
    const next = (n: number) => {
      random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
      return random % n;
    };
    let checked = 0;
    for (let i = 0; i < 5000; i++) {
      const seed = seeds[i % seeds.length] ?? '';
      const at = next(seed.length);
      const op = next(3);
      const text =
        op === 0
          ? seed.slice(0, at) + seed.slice(at + 1)
          : op === 1
            ? seed.slice(0, at) + seed[at] + seed.slice(at)
            : seed.slice(0, at) + replacements[next(replacements.length)] + seed.slice(at + 1);
      const { fast, full } = bothPaths(text);
      if (fast === undefined) continue;
      checked++;
      expect(full, JSON.stringify(text)).toEqual({ branches: fast });
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist')
      continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Drops full-line comments, so that files with them reach the CST walk too. */
function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
}
