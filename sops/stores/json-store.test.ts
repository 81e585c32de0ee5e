import { describe, expect, it } from 'vitest';
import { emitJson, MAX_JSON_DEPTH, parseJson } from './json-store.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedArrays = (depth: number) => `{"a":${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}}`;

describe('JSON store on large input', () => {
  it.each([
    { name: 'objects nested to the limit are read', input: nestedObjects(MAX_JSON_DEPTH) },
    { name: 'arrays nested to the limit are read', input: nestedArrays(MAX_JSON_DEPTH) },
  ])('$name', ({ input }) => {
    const tree = parseJson(bytes(input));
    expect(JSON.parse(new TextDecoder().decode(emitJson(tree)))).toEqual(JSON.parse(input));
  });

  it.each([
    {
      name: '10,000 nested objects are refused, not a stack overflow',
      input: nestedObjects(10_000),
    },
    { name: '10,000 nested arrays are refused, not a stack overflow', input: nestedArrays(10_000) },
    { name: 'one level past the limit is refused', input: nestedObjects(MAX_JSON_DEPTH + 1) },
  ])('$name', ({ input }) => {
    expect(() => parseJson(bytes(input))).toThrow(
      expect.objectContaining({
        code: 'InvalidInput',
        message: expect.stringMatching(
          /^invalid JSON at offset \d+: nested deeper than 500 levels$/,
        ),
      }),
    );
  });

  it('keeps 100,000 keys in order', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${99_999 - i}`);
    const tree = parseJson(bytes(JSON.stringify(Object.fromEntries(keys.map((k) => [k, k])))));
    const read = tree.items.map((item) => ('key' in item ? item.key : ''));
    expect(read).toEqual(keys);
  });
});
