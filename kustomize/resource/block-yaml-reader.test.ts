import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/harness/seeded-random.ts';
import { readBlockYaml } from './block-yaml-reader.ts';
import { defaultLoadLimits, readYamlResources } from './load-resources.ts';

/** Properties the engine never reads and the fast reader does not build. */
const ignored = new Set(['range', 'comment', 'commentBefore', 'spaceBefore']);

/** A node tree as plain data: class names and every other own enumerable property. */
function project(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(project);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = { class: value.constructor.name };
  for (const [key, inner] of Object.entries(value)) {
    if (!ignored.has(key)) result[key] = project(inner);
  }
  return result;
}

/** What the existing path answers: the documents, or the error it throws. */
function existing(text: string): unknown {
  try {
    return project(readYamlResources(text, 'test.yaml', defaultLoadLimits));
  } catch (error) {
    return { error: String(error) };
  }
}

const scalars = [
  'nginx',
  'app-1',
  'nginx:1.25',
  'http://example.com:8080/a#b',
  'a b  c',
  'a #not',
  '1',
  '-1',
  '+1',
  '0',
  '007',
  '0o17',
  '0x1F',
  '0xZZ',
  '1_000',
  '1.5',
  '1.50',
  '.5',
  '1e3',
  '-1.5E-3',
  '.inf',
  '-.Inf',
  '.nan',
  '.NaN',
  'true',
  'True',
  'TRUE',
  'false',
  'yes',
  'no',
  'on',
  'null',
  'Null',
  'NULL',
  '~',
  'nul',
  'trueish',
  '2001-12-14',
  '12:30:00',
  '1:20',
  'a: b',
  'a:b',
  'a:',
  '- a',
  '-a',
  '?a',
  '? a',
  ':a',
  ': a',
  '#a',
  '&a',
  '*a',
  '!a',
  '!!str a',
  '|',
  '>-',
  '[a, b]',
  '{a: b}',
  '[]',
  '{}',
  '[ ]',
  '{ }',
  '[a, "b", \'c\']',
  '[1, 0x1F, 2.50, true, null, ~, .inf]',
  '[a,]',
  '[,a]',
  '[a,,b]',
  '[a:b]',
  '[a: b]',
  '[a #b]',
  '[a, [b]]',
  '[a, {b: c}]',
  '[a] x',
  '[a] # c',
  '[a]#c',
  '[a b, c ]',
  '["a" b]',
  '[a',
  '{a}',
  '%a',
  '@a',
  '`a',
  ',a',
  'a,b',
  'a[0]',
  'a{b}',
  ['$', '{VAR}'].join(''),
  '"quoted"',
  '"with \\"escape\\""',
  '"tab\\there"',
  '"new\\nline"',
  '"slash\\/"',
  '"uni\\u00e9"',
  '"x\\x41"',
  '"bad\\q"',
  '"unterminated',
  "'single'",
  "'it''s'",
  "'back\\slash'",
  "'unterminated",
  '"a" b',
  '"a" #c',
  '""',
  "''",
  'é ü 日本',
  'a\tb',
  '   ',
  '',
  '--- a',
  '---',
  '...',
];

const keys = [
  'name',
  'app.kubernetes.io/name',
  'a b',
  'key  ',
  '1',
  '0x1',
  'true',
  'null',
  '~',
  '"quoted key"',
  "'single key'",
  '"q:k"',
  'a:b',
  'a#b',
  '-k',
  '?k',
  '[k]',
  '&k',
  '*k',
  '!k',
  'é',
];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)] as T;
}

/** Scalars of the subset, the common case in real files. */
const common = [
  'nginx',
  'app-1',
  'nginx:1.25',
  '"quoted"',
  "'single'",
  '1',
  'true',
  '1.5',
  'x y',
  '[ReadWriteOnce]',
  '{}',
  '[]',
];

/** Mostly common scalars, sometimes any of the edge cases. */
const scalar = (next: () => number): string =>
  next() < 0.8 ? pick(next, common) : pick(next, scalars);

/** A random block document: maps, sequences, `- key:` items and scalars of every kind. */
function generate(next: () => number, indent: number, depth: number, inSeq: boolean): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  const count = 1 + Math.floor(next() * 4);
  const asSeq = inSeq;
  for (let i = 0; i < count; i++) {
    if (next() < 0.1) {
      // Blank and comment lines, comments at any column.
      const column = ' '.repeat(Math.floor(next() * (indent + 3)));
      lines.push(next() < 0.3 ? '' : `${column}# comment ${i}`);
    }
    const nested = depth < 4 && next() < 0.35;
    if (asSeq) {
      if (nested && next() < 0.6) {
        // `- key: value` item: the map sits two columns in.
        const inner = generate(next, indent + 2, depth + 1, false);
        lines.push(`${pad}- ${(inner[0] ?? '').trimStart()}`, ...inner.slice(1));
      } else if (nested) {
        lines.push(`${pad}-`, ...generate(next, indent + 2, depth + 1, next() < 0.5));
      } else lines.push(`${pad}- ${scalar(next)}`);
      continue;
    }
    const key = next() < 0.9 ? `k${depth}${i}${next() < 0.3 ? 'x' : ''}` : pick(next, keys);
    if (nested) {
      const seq = next() < 0.5;
      // Sequences under a key sit at the key's column or deeper, maps deeper.
      const step = seq && next() < 0.5 ? 0 : 2;
      lines.push(
        `${pad}${key}:${next() < 0.1 ? ' # c' : ''}`,
        ...generate(next, indent + step, depth + 1, seq),
      );
    } else {
      const comment = next() < 0.1 ? ' # trailing' : '';
      lines.push(`${pad}${key}: ${scalar(next)}${comment}`);
    }
  }
  return lines;
}

const noise = [' ', '  ', ':', '#', '-', "'", '"', '[', '{', '&', '*', '!', '|', '>', '\t', '\r'];

/** Small edits that move a document in and out of the subset, or out of YAML. */
function mutate(next: () => number, lines: string[]): string[] {
  const result = [...lines];
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits && result.length > 0; e++) {
    const at = Math.floor(next() * result.length);
    const line = result[at] as string;
    const choice = next();
    if (choice < 0.25) result[at] = ` ${line}`;
    else if (choice < 0.4) result[at] = line.replace(/^ /, '');
    else if (choice < 0.6) {
      const pos = Math.floor(next() * (line.length + 1));
      result[at] = line.slice(0, pos) + pick(next, noise) + line.slice(pos);
    } else if (choice < 0.75) result.splice(at, 0, line);
    else if (choice < 0.85) result.splice(at, 0, pick(next, ['---', '--- ', '---x', '...', '']));
    else result[at] = line.slice(0, Math.floor(next() * line.length));
  }
  return result;
}

function corpus(seed: number, size: number): string[] {
  const next = seededRandom(seed);
  const texts: string[] = [];
  for (let i = 0; i < size; i++) {
    const docs = 1 + Math.floor(next() * 3);
    const parts: string[] = [];
    for (let d = 0; d < docs; d++) {
      let lines = generate(next, 0, 0, false);
      if (next() < 0.4) lines = mutate(next, lines);
      parts.push(lines.join('\n'));
    }
    const lead = next() < 0.2 ? '---\n' : '';
    texts.push(`${lead}${parts.join('\n---\n')}${next() < 0.8 ? '\n' : ''}`);
  }
  return texts;
}

describe('readBlockYaml', () => {
  it('builds the same nodes as the yaml package on a generated corpus', () => {
    let answered = 0;
    const texts = corpus(20261127, 2000);
    for (const text of texts) {
      const fast = readBlockYaml(text);
      if (fast === undefined) continue;
      answered++;
      expect({ text, nodes: project(fast) }).toStrictEqual({ text, nodes: existing(text) });
    }
    // The corpus must exercise the fast path, not only its refusals.
    expect(answered).toBeGreaterThan(texts.length / 5);
    expect(answered).toBeLessThan(texts.length);
  });

  it('reads a bench-style resource file', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-0
  labels:
    app: app-0
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 8080
        env:
        - name: INDEX
          value: "0"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-3
`;
    const fast = readBlockYaml(text);
    expect(fast).toHaveLength(2);
    expect(project(fast)).toStrictEqual(existing(text));
  });

  it.each([
    { name: 'a merge key, a plain key in YAML 1.2', input: '<<: a\nb: <<\n' },
    { name: 'an escaped slash', input: 'a: "\\/"\n' },
    {
      name: 'numbers and near-numbers',
      input: 'a: -.5\nb: 0o\nc: 1e\nd: 0o17\ne: 0x1f\nf: 1.250\n',
    },
    { name: 'an empty single-quoted value with a trailing space', input: "a: '' \n" },
    { name: 'trailing blank lines', input: 'a: x\n\n\n' },
    { name: 'quoted keys', input: "\"a b\": 1\n'a''b': 2\n" },
    { name: 'a flow sequence with spaces', input: 'a: [ "a" , b ]\n' },
    { name: 'inner double spaces', input: 'a: x  y\n' },
    { name: 'non-ASCII text', input: 'a: é 日本\n' },
    { name: 'comment lines at any column', input: 'a:\n  b: 1\n# c\n      # d\n  c: 2\n' },
    { name: 'a sequence at its key column', input: 'a:\n- 1\n- b: 2\n  c: 3\nd: 4\n' },
  ])('reads $name as the yaml package does', ({ input }) => {
    const fast = readBlockYaml(input);
    expect(fast).toBeDefined();
    expect(project(fast)).toStrictEqual(existing(input));
  });

  it.each([
    { name: 'anchor', input: 'a: &x 1\nb: 2\n' },
    { name: 'alias', input: 'a: 1\nb: *x\n' },
    { name: 'tag', input: 'a: !!str 1\n' },
    { name: 'local tag', input: 'a: !foo 1\n' },
    { name: 'nested flow sequence', input: 'a: [1, [2]]\n' },
    { name: 'flow sequence with a trailing comma', input: 'a: [1, 2,]\n' },
    { name: 'flow sequence over two lines', input: 'a: [1,\n  2]\n' },
    { name: 'flow map', input: 'a: {b: 1}\n' },
    { name: 'literal block scalar', input: 'a: |\n  text\n' },
    { name: 'folded block scalar', input: 'a: >-\n  text\n' },
    { name: 'multi-line plain scalar', input: 'a: one\n  two\n' },
    { name: 'multi-line quoted scalar', input: 'a: "one\n  two"\n' },
    { name: 'plain scalar on the line below its key', input: 'a:\n  text\n' },
    { name: 'duplicate key', input: 'a: 1\nb: 2\na: 3\n' },
    {
      name: 'duplicate key in a long map',
      input: `${'abcdefghijklmnopqrst'
        .split('')
        .map((k) => `${k}: 1`)
        .join('\n')}\nq: 2\n`,
    },
    { name: 'tab indentation', input: 'a:\n\tb: 1\n' },
    { name: 'carriage return', input: 'a: 1\r\nb: 2\r\n' },
    { name: 'byte order mark', input: '\ufeffa: 1\n' },
    { name: 'odd indentation', input: 'a:\n  b: 1\n c: 2\n' },
    { name: 'sequence item under an inline value', input: 'a: 1\n  - b\n' },
    { name: 'directive', input: '%YAML 1.2\n---\na: 1\n' },
    { name: 'document end marker', input: 'a: 1\n...\n' },
    { name: 'content after ---', input: '--- a: 1\n' },
    { name: 'explicit key', input: '? a\n: 1\n' },
    { name: 'nested sequence on one line', input: 'a:\n- - b\n' },
    { name: 'map value on the key line', input: 'a: b: c\n' },
    { name: 'top-level sequence', input: '- a\n- b\n' },
    { name: 'top-level scalar', input: 'just text\n' },
    { name: 'indented top-level map', input: '  a: 1\n' },
    { name: 'uncommon escape', input: 'a: "\\x41"\n' },
    { name: 'text after a quoted scalar', input: 'a: "b" c\n' },
    { name: 'unterminated quote', input: "a: 'b\n" },
  ])('leaves $name to the yaml package', ({ input }) => {
    expect(readBlockYaml(input)).toBeUndefined();
  });
});
