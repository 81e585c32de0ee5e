import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dataKeyObject, decryptScalar, newIv, seal } from './cipher.ts';

const dataKey = randomBytes(32);
const key = dataKeyObject(dataKey);
const SECRET = 'hunter2-secret';

function envelope(plaintext: Uint8Array, aad = 'a:b:', type = 'str'): string {
  return seal(plaintext, key, aad, newIv(), type);
}

describe('decryptScalar', () => {
  it.each([
    { name: 'ASCII', bytes: Buffer.from('plain text') },
    { name: 'multi-byte UTF-8', bytes: Buffer.from('ключ 日本 🙂') },
    { name: 'a literal replacement character', bytes: Buffer.from('a\uFFFDb') },
  ])('$name decrypts to a string without raw bytes', ({ bytes }) => {
    const value = decryptScalar(envelope(bytes), key, 'a:b:');
    expect(value).toStrictEqual({ type: 'str', value: bytes.toString('utf8') });
  });

  it.each([
    { name: 'a stray 0xff byte', bytes: Buffer.from([0x61, 0xff, 0x62]) },
    { name: 'an encoded surrogate', bytes: Buffer.from([0xed, 0xa0, 0x80]) },
    { name: 'an overlong encoding', bytes: Buffer.from([0xc0, 0xaf]) },
    { name: 'a truncated sequence', bytes: Buffer.from([0x61, 0xe6, 0x97]) },
  ])('$name keeps the raw bytes', ({ bytes }) => {
    const value = decryptScalar(envelope(bytes), key, 'a:b:');
    expect(value.type).toBe('str');
    expect((value as { bytes?: Uint8Array }).bytes).toStrictEqual(bytes);
  });

  it('decrypts with a raw key as with a key object, many values in a row', () => {
    for (let i = 0; i < 50; i++) {
      const text = `value ${i} ${'x'.repeat(i * 7)}`;
      const aad = `${'k'.repeat(i)}:`;
      expect(decryptScalar(envelope(Buffer.from(text), aad), dataKey, aad)).toStrictEqual({
        type: 'str',
        value: text,
      });
    }
  });

  const good = envelope(Buffer.from(SECRET));
  const [, data = '', iv = '', tag = ''] =
    /^ENC\[AES256_GCM,data:(.*),iv:(.*),tag:(.*),type:str\]$/.exec(good) ?? [];
  const MALFORMED = 'value is not a valid sops ENC[AES256_GCM,…] string';
  const AUTH = 'could not decrypt value (authentication failed';
  it.each([
    { name: 'text that is no envelope', input: 'plain', aad: 'a:b:', want: MALFORMED },
    {
      name: 'data that is not base64',
      input: good.replace(data, `${data.slice(0, -4)}*${data.slice(-3)}`),
      aad: 'a:b:',
      want: MALFORMED,
    },
    {
      name: 'data of a wrong length',
      input: good.replace(data, data.slice(1)),
      aad: 'a:b:',
      want: MALFORMED,
    },
    { name: 'an empty IV', input: good.replace(`iv:${iv}`, 'iv:'), aad: 'a:b:', want: MALFORMED },
    {
      name: 'a short tag',
      input: good.replace(`tag:${tag}`, 'tag:AAAA'),
      aad: 'a:b:',
      want: MALFORMED,
    },
    { name: 'a value moved to another key', input: good, aad: 'a:c:', want: AUTH },
    {
      name: 'a changed tag',
      input: good.replace(`tag:${tag}`, `tag:${Buffer.alloc(16).toString('base64')}`),
      aad: 'a:b:',
      want: AUTH,
    },
  ])('$name is refused without the plaintext', ({ input, aad, want }) => {
    let message = '';
    try {
      decryptScalar(input, key, aad);
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain(want);
    expect(message).not.toContain(SECRET);
  });

  it('decrypts again after a refusal', () => {
    expect(() => decryptScalar(good, key, 'x:')).toThrow();
    expect(decryptScalar(good, key, 'a:b:')).toStrictEqual({ type: 'str', value: SECRET });
  });
});
