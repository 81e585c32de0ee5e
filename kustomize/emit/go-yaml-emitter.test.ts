import { describe, expect, it } from 'vitest';
import { compareGoYamlKeys } from './go-format.ts';
import { emitGoYaml } from './go-yaml-emitter.ts';
import type { JsonValue } from './json-value.ts';

const doc = (entries: [string, JsonValue][]): JsonValue => new Map(entries);

// Expected lines were produced by `kubectl kustomize` (kustomize v5.5.0) for the same values.
describe('emitGoYaml', () => {
  it.each([
    { name: 'YAML 1.1 booleans are quoted', value: 'yes', want: 'k: "yes"\n' },
    { name: 'numeric strings are quoted', value: '123', want: 'k: "123"\n' },
    { name: 'timestamps are quoted', value: '2001-12-14', want: 'k: "2001-12-14"\n' },
    { name: 'base-60 floats are quoted', value: '1:20', want: 'k: "1:20"\n' },
    { name: 'the empty string is double-quoted', value: '', want: 'k: ""\n' },
    { name: 'indicators force single quotes', value: '*star', want: "k: '*star'\n" },
    { name: 'colon-space forces single quotes', value: 'a: b', want: "k: 'a: b'\n" },
    { name: 'a trailing space forces single quotes', value: 'trailing ', want: "k: 'trailing '\n" },
    { name: 'a tab forces double quotes', value: 'a\tb', want: 'k: "a\\tb"\n' },
    { name: 'astral characters are escaped', value: '😀', want: 'k: "\\U0001F600"\n' },
    { name: 'other unicode is plain', value: 'héllo ✓', want: 'k: héllo ✓\n' },
    { name: 'newlines make a literal block', value: 'a\nb\n', want: 'k: |\n  a\n  b\n' },
    { name: 'no final newline strips', value: 'a\nb', want: 'k: |-\n  a\n  b\n' },
    { name: 'two final newlines keep', value: 'keep\n\n', want: 'k: |+\n  keep\n\n' },
    {
      name: 'leading spaces get an indent hint',
      value: '  lead\nnext',
      want: 'k: |2-\n    lead\n  next\n',
    },
    { name: 'space before newline forces double quotes', value: 'a \nb', want: 'k: "a \\nb"\n' },
    { name: 'integers are plain', value: 1000n, want: 'k: 1000\n' },
    { name: 'integral floats print as integers', value: 1, want: 'k: 1\n' },
    { name: 'small floats use an exponent', value: 1e-7, want: 'k: 1e-07\n' },
    {
      name: 'large fractional floats use an exponent',
      value: 123456789.125,
      want: 'k: 1.23456789125e+08\n',
    },
    { name: 'null prints as null', value: null, want: 'k: null\n' },
    { name: 'empty maps are flow', value: new Map(), want: 'k: {}\n' },
    { name: 'empty lists are flow', value: [], want: 'k: []\n' },
  ] as { name: string; value: JsonValue; want: string }[])('$name', ({ value, want }) => {
    expect(emitGoYaml(doc([['k', value]]))).toBe(want);
  });

  it('folds long plain strings at column 80', () => {
    const value =
      'this is a very long annotation value that goes on and on and on past the eighty column limit for sure yes';
    const annotations = doc([['annotations', doc([['long', value]])]]);
    expect(emitGoYaml(doc([['metadata', annotations]]))).toBe(
      'metadata:\n  annotations:\n    long: this is a very long annotation value that goes on and on and on past the\n      eighty column limit for sure yes\n',
    );
  });

  it('writes lists under a key without indenting them', () => {
    const value = doc([
      [
        'nested',
        [
          ['a', 'b'],
          doc([
            ['k', 'v'],
            ['l', [1n, 2n]],
          ]),
          [],
        ],
      ],
    ]);
    expect(emitGoYaml(value)).toBe('nested:\n- - a\n  - b\n- k: v\n  l:\n  - 1\n  - 2\n- []\n');
  });
});

describe('compareGoYamlKeys', () => {
  it('sorts as go-yaml v2 does: numbers by value, letters before digits', () => {
    const keys = ['a10', 'a9', 'A', '_under', '123', '1.5', 'a09', 'key with space'];
    expect([...keys].sort(compareGoYamlKeys)).toEqual([
      '_under',
      '1.5',
      '123',
      'A',
      'a9',
      'a09',
      'a10',
      'key with space',
    ]);
  });
});

describe('the printable-ASCII shortcut', () => {
  // Words that exercise every style choice: indicators first, inside, last and around spaces,
  // YAML 1.1 values, quotes and backslashes, and the long (folded) and non-ASCII strings the
  // shortcut leaves.
  const words = [
    'app',
    'nginx:1.25',
    'a:',
    ':a',
    ':',
    '-',
    '-a',
    '?',
    '?a',
    'a?b',
    '#a',
    'a#b',
    '---',
    '...a',
    "it's",
    "'q'",
    '"q"',
    'back\\slash',
    'a,b',
    '[x]',
    '{y}',
    '&a',
    '*a',
    '!a',
    '|',
    '>',
    '%a',
    '@a',
    '`a',
    'yes',
    'on',
    '~',
    'null',
    '123',
    '0x1F',
    '1:20',
    '1e3',
    '.5',
    '2001-12-14',
    '',
    'x'.repeat(90),
    'with space',
    'a  b',
    'a #b',
    'a# b',
    'a: b',
    'a :b',
    'a - b',
    '- a',
    '? a',
    ': a',
    "it's a",
    'say "hi" now',
    'back\\ slash',
    'a,b c',
    '--- a',
    'words that nearly fill a line at the top level of a document',
    'a sentence long enough to be folded by libyaml at the eightieth column, wherever it starts',
    'héllo',
    'a\nb',
  ];
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = (): string => words[Math.floor(next() * words.length)] as string;
  const value = (depth: number): JsonValue => {
    const r = next();
    if (depth > 3 || r < 0.5) return pick();
    if (r < 0.75) {
      const map = new Map<string, JsonValue>();
      const count = Math.floor(next() * 4);
      for (let i = 0; i < count; i++) map.set(pick(), value(depth + 1));
      return map;
    }
    return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
  };

  it('prints what the character-by-character path prints', () => {
    for (let i = 0; i < 1000; i++) {
      const root = new Map<string, JsonValue>([[pick(), value(0)]]);
      expect(emitGoYaml(root)).toBe(emitGoYaml(root, { asciiShortcut: false }));
    }
  });
});
