import { describe, expect, it } from 'vitest';
import { canPrintPlainV2, formatGoTimestamp, resolvePlainV3 } from './go-resolve.ts';

describe('resolvePlainV3 (how kyaml reads plain scalars)', () => {
  it.each([
    { name: 'decimal int', input: '42', want: { tag: 'int', value: 42n } },
    { name: 'legacy octal', input: '0777', want: { tag: 'int', value: 511n } },
    { name: 'YAML 1.2 octal', input: '0o17', want: { tag: 'int', value: 15n } },
    { name: 'hex', input: '0x1F', want: { tag: 'int', value: 31n } },
    { name: 'underscores', input: '1_000', want: { tag: 'int', value: 1000n } },
    { name: 'float', input: '1.5', want: { tag: 'float', value: 1.5 } },
    { name: 'not an int: 08 is a float', input: '08', want: { tag: 'float', value: 8 } },
    { name: 'yes stays a string', input: 'yes', want: { tag: 'str' } },
    { name: 'True is a bool', input: 'True', want: { tag: 'bool', value: true } },
    { name: 'tilde is null', input: '~', want: { tag: 'null' } },
    { name: 'date is a timestamp', input: '2001-12-14', want: { tag: 'timestamp' } },
    {
      name: 'uint64 beyond int64',
      input: '18446744073709551615',
      want: { tag: 'int', value: 18446744073709551615n },
    },
  ])('$name', ({ input, want }) => {
    expect(resolvePlainV3(input)).toEqual(want);
  });
});

describe('canPrintPlainV2', () => {
  it.each([
    { input: 'on', want: false },
    { input: 'n', want: false },
    { input: '1e3', want: false },
    { input: '1:20', want: false },
    { input: 'nginx', want: true },
    { input: '.5x', want: true },
  ])('$input → $want', ({ input, want }) => {
    expect(canPrintPlainV2(input)).toBe(want);
  });
});

describe('formatGoTimestamp', () => {
  it.each([
    { input: '2001-12-14', want: '2001-12-14T00:00:00Z' },
    { input: '2001-12-14t21:59:43.10-05:00', want: '2001-12-14T21:59:43.1-05:00' },
    { input: '2001-12-14 21:59:43.10', want: '2001-12-14T21:59:43.1Z' },
    { input: '2001-02-30', want: undefined },
  ])('$input', ({ input, want }) => {
    expect(formatGoTimestamp(input)).toBe(want);
  });
});
