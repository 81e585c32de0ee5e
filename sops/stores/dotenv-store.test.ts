import { describe, expect, it } from 'vitest';
import { dotenvStore } from './dotenv-store.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('dotenv store', () => {
  it.each([
    {
      name: 'comments, escaped line breaks and empty lines',
      input: '#top\nA=1\n\nB=two\\nlines\n# note\nC=\nD=x=y\n',
      want: [
        { type: 'comment', value: 'top', inline: false },
        { key: 'A', value: { type: 'str', value: '1' } },
        { key: 'B', value: { type: 'str', value: 'two\nlines' } },
        { type: 'comment', value: ' note', inline: false },
        { key: 'C', value: { type: 'str', value: '' } },
        { key: 'D', value: { type: 'str', value: 'x=y' } },
      ],
    },
    {
      name: 'no final line break',
      input: 'A=1\nB=2',
      want: [
        { key: 'A', value: { type: 'str', value: '1' } },
        { key: 'B', value: { type: 'str', value: '2' } },
      ],
    },
    { name: 'an empty file', input: '', want: [] },
  ])('$name are read', ({ input, want }) => {
    const [branch] = dotenvStore.loadPlain(bytes(input));
    expect(branch?.items).toStrictEqual(want);
  });

  it('writes back what it read', () => {
    const input = '#top\nA=1\nB=two\\nlines\nC=\nD=x=y\n';
    expect(Buffer.from(dotenvStore.emitPlain(dotenvStore.loadPlain(bytes(input)))).toString()).toBe(
      input,
    );
  });

  it.each([
    { name: 'a line without =', input: 'A=1\n\nnot a pair\nB=2\n', want: 'line 3' },
    { name: 'a first line without =', input: 'oops', want: 'line 1' },
  ])('$name is refused naming its line', ({ input, want }) => {
    expect(() => dotenvStore.loadPlain(bytes(input))).toThrow(want);
  });
});
