import { describe, expect, it } from 'vitest';
import { defaultHeapGrowingPercent, tuneHeapForController } from './heap-settings.ts';

describe('tuneHeapForController', () => {
  it.each([
    {
      name: 'the default factor is set',
      input: { env: {}, argv: [] },
      want: defaultHeapGrowingPercent,
    },
    {
      name: 'the environment chooses another',
      input: { env: { KUSTODIAN_HEAP_GROWING_PERCENT: '100' }, argv: [] },
      want: 100,
    },
    {
      name: '0 keeps V8 default',
      input: { env: { KUSTODIAN_HEAP_GROWING_PERCENT: '0' }, argv: [] },
      want: undefined,
    },
    {
      name: 'garbage keeps V8 default',
      input: { env: { KUSTODIAN_HEAP_GROWING_PERCENT: 'lots' }, argv: [] },
      want: undefined,
    },
    {
      name: 'a flag given to node wins',
      input: { env: {}, argv: ['--heap-growing-percent=20'] },
      want: undefined,
    },
  ])('$name', ({ input, want }) => {
    expect(tuneHeapForController(input.env, input.argv)).toBe(want);
  });
});
