import { describe, expect, it } from 'vitest';
import { readCodeCacheLayout, stripBuiltinCodeCache } from '../../bin/strip-code-cache.js';

// A blob laid out as Node 24 writes one (bin/strip-code-cache.js), with made-up contents.
const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
};
const size = (value: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
};
const string = (text: string) => Buffer.concat([size(text.length), Buffer.from(text)]);
const propInfo = (name: string) => Buffer.concat([string(name), u32(1), size(2)]);

function blob(cache: Array<[string, number]>): { bytes: Buffer; cacheStart: number } {
  const v8 = Buffer.alloc(100, 7);
  const v8Length = Buffer.alloc(4);
  v8Length.writeInt32LE(v8.length);
  const head = Buffer.concat([
    u32(0x0143da19),
    Buffer.from([1]),
    string('24.21.0'),
    string('x64'),
    string('linux'),
    u32(0),
    v8Length,
    v8,
    // Isolate data.
    size(2),
    size(10),
    size(11),
    size(1),
    propInfo('template'),
    // Environment: async hooks, their resources, nine indices, the realm.
    size(1),
    size(2),
    size(3),
    size(4),
    size(0),
    ...Array.from({ length: 9 }, (_, i) => size(i)),
    size(1),
    string('internal/bootstrap/realm'),
    size(0),
    size(1),
    propInfo('native'),
    size(5),
  ]);
  const entries = cache.map(([id, length]) =>
    Buffer.concat([string(id), size(length), Buffer.alloc(length, 9)]),
  );
  return {
    bytes: Buffer.concat([head, size(cache.length), ...entries]),
    cacheStart: head.length,
  };
}

describe('stripBuiltinCodeCache', () => {
  it('replaces the code cache by an empty one and keeps everything before it', () => {
    const { bytes, cacheStart } = blob([
      ['internal/util', 300],
      ['fs', 200],
    ]);
    expect(readCodeCacheLayout(bytes)).toEqual({ cacheStart, entries: 2 });
    const stripped = stripBuiltinCodeCache(bytes);
    expect(stripped?.subarray(0, cacheStart).equals(bytes.subarray(0, cacheStart))).toBe(true);
    expect(stripped?.length).toBe(cacheStart + 8);
    expect(stripped && readCodeCacheLayout(stripped)).toEqual({ cacheStart, entries: 0 });
  });

  it('leaves a blob without a cache alone', () => {
    expect(stripBuiltinCodeCache(blob([]).bytes)).toBeUndefined();
  });

  it.each([
    { name: 'another magic number', change: (b: Buffer) => b.writeUInt32LE(1, 0) },
    { name: 'a byte more at the end', change: (b: Buffer) => Buffer.concat([b, Buffer.alloc(1)]) },
    { name: 'a truncated cache', change: (b: Buffer) => b.subarray(0, b.length - 10) },
    { name: 'a length past the end', change: (b: Buffer) => b.writeInt32LE(1 << 30, 48) },
  ])('refuses a blob not laid out as expected: $name', ({ change }) => {
    const { bytes } = blob([['internal/util', 300]]);
    const changed = (change(bytes) as Buffer | number | undefined) ?? bytes;
    const input = Buffer.isBuffer(changed) ? changed : bytes;
    expect(readCodeCacheLayout(input)).toBeUndefined();
    expect(stripBuiltinCodeCache(input)).toBeUndefined();
  });
});
