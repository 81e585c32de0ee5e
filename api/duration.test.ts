import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from './duration.ts';

describe('Go durations', () => {
  it.each([
    { name: 'minutes', input: '5m', want: 300_000 },
    { name: 'minutes and seconds', input: '5m0s', want: 300_000 },
    { name: 'hours and minutes', input: '1h30m', want: 5_400_000 },
    { name: 'fractions', input: '1.5s', want: 1500 },
    { name: 'milliseconds', input: '250ms', want: 250 },
    { name: 'zero', input: '0', want: 0 },
    { name: 'a leading dot', input: '.5m', want: 30_000 },
  ])('parses $name ($input)', ({ input, want }) => {
    expect(parseDuration(input)).toBe(want);
  });

  it.each([
    { name: 'a number without unit', input: '10' },
    { name: 'an unknown unit', input: '1d' },
    { name: 'words', input: '5 minutes' },
    { name: 'an empty string', input: '' },
    { name: 'a unit without number', input: 'm' },
  ])('refuses $name, naming the field', ({ input }) => {
    expect(() => parseDuration(input, 'spec.interval')).toThrow(DurationError);
    expect(() => parseDuration(input, 'spec.interval')).toThrow(/spec\.interval/);
  });

  it.each([
    { input: 3_600_000, want: '1h0m0s' },
    { input: 90_000, want: '1m30s' },
    { input: 500, want: '500ms' },
    { input: 1500, want: '1.5s' },
  ])('formats $input ms as $want', ({ input, want }) => {
    expect(formatDuration(input)).toBe(want);
  });
});
