import { describe, expect, it } from 'vitest';
import { tuneV8ForController } from './v8-settings.ts';

describe('tuneV8ForController', () => {
  it.each([
    {
      name: 'the defaults are set',
      input: { env: {}, argv: [] },
      want: ['--heap-growing-percent=50', '--no-maglev'],
    },
    {
      name: 'the environment chooses another growing factor',
      input: { env: { KUSTODIAN_HEAP_GROWING_PERCENT: '100' }, argv: [] },
      want: ['--heap-growing-percent=100', '--no-maglev'],
    },
    {
      name: '0 keeps V8 default growing factor',
      input: { env: { KUSTODIAN_HEAP_GROWING_PERCENT: '0' }, argv: [] },
      want: ['--no-maglev'],
    },
    {
      name: 'garbage keeps V8 default growing factor',
      input: { env: { KUSTODIAN_HEAP_GROWING_PERCENT: 'lots' }, argv: [] },
      want: ['--no-maglev'],
    },
    {
      name: 'flags given to node win',
      input: { env: {}, argv: ['--heap_growing_percent=20', '--maglev'] },
      want: [],
    },
  ])('$name', ({ input, want }) => {
    expect(tuneV8ForController(input.env, input.argv)).toEqual(want);
  });
});
