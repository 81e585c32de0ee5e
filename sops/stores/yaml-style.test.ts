import { describe, expect, it } from 'vitest';
import { formatAnalyzed, formatString, isSimpleWord } from './yaml-style.ts';

const ALPHABET = 'aAZ_09./=+,[]:-# \'"yYnNoOtTfFlLuUrRsSeE';

describe('formatString', () => {
  it.each([
    { name: 'a key', input: 'service0', want: true },
    {
      name: 'an envelope',
      input: 'ENC[AES256_GCM,data:AB+/=,iv:Q=,tag:Zg==,type:str]',
      want: true,
    },
    { name: 'a null word', input: 'Null', want: false },
    { name: 'an old boolean', input: 'yes', want: false },
    { name: 'a trailing colon', input: 'a:', want: false },
    { name: 'a number', input: '1e3', want: false },
    { name: 'a space', input: 'a b', want: false },
  ])('$name is a simple word: $want', ({ input, want }) => {
    expect(isSimpleWord(input)).toBe(want);
    expect(formatString(input, false, 4)).toStrictEqual(formatAnalyzed(input, false, 4));
  });

  it('writes every simple word as go-yaml’s analysis does', () => {
    let state = 7;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    let simple = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = Math.floor(random() * 8);
      for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
      if (isSimpleWord(text)) simple++;
      for (const isKey of [false, true])
        expect(formatString(text, isKey, 2), text).toStrictEqual(formatAnalyzed(text, isKey, 2));
    }
    expect(simple).toBeGreaterThan(1000);
  });
});
