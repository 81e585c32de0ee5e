import { describe, expect, it } from 'vitest';
import { matchesRequirements, parseLabelSelector, SelectorError } from './index.ts';

const labels = new Map([
  ['app', 'web'],
  ['tier', 'front'],
  ['example.com/team', 'a'],
  ['size', '10'],
]);

describe('label selector matching', () => {
  it.each([
    { name: 'empty selector selects all', input: '', want: true },
    { name: 'equality matches', input: 'app=web', want: true },
    { name: 'double equals matches', input: 'app==web', want: true },
    { name: 'equality with another value fails', input: 'app=api', want: false },
    { name: 'inequality of an absent key matches', input: 'env!=prod', want: true },
    { name: 'inequality of the same value fails', input: 'app!=web', want: false },
    { name: 'in matches one of the values', input: 'tier in (back, front)', want: true },
    { name: 'in without the value fails', input: 'tier in (back)', want: false },
    { name: 'notin of an absent key matches', input: 'env notin (prod)', want: true },
    { name: 'notin with the value fails', input: 'tier notin (front,x)', want: false },
    { name: 'existence matches', input: 'app', want: true },
    { name: 'existence of an absent key fails', input: 'env', want: false },
    { name: 'non-existence matches an absent key', input: '!env', want: true },
    { name: 'non-existence fails for a present key', input: '!app', want: false },
    { name: 'prefixed keys are allowed', input: 'example.com/team=a', want: true },
    { name: 'all requirements must hold', input: 'app=web,tier=back', want: false },
    { name: 'whitespace is ignored', input: '  app = web ,  !env ', want: true },
    { name: 'greater than compares integers', input: 'size>9', want: true },
    { name: 'less than compares integers', input: 'size<10', want: false },
    { name: 'empty value after equals matches only empty', input: 'app=', want: false },
    { name: 'keyword as a value is an identifier', input: 'app notin (in)', want: true },
  ])('$name', ({ input, want }) => {
    expect(matchesRequirements(parseLabelSelector(input), labels)).toBe(want);
  });

  it.each([
    { name: 'in needs parentheses', input: 'app in web' },
    { name: 'trailing comma is refused', input: 'app=web,' },
    { name: 'bad key is refused', input: '-bad=x' },
    { name: 'bad value is refused', input: 'app=-x-' },
    { name: 'two values for equality are refused', input: 'app=a b' },
    { name: 'unknown operator is refused', input: 'app=~x' },
    { name: 'non-integer for greater than is refused', input: 'size>a' },
    { name: 'negation with an operator is refused', input: '!app=web' },
  ])('$name', ({ input }) => {
    expect(() => parseLabelSelector(input)).toThrow(SelectorError);
  });

  it.each([
    { name: 'empty parentheses hold the empty value', input: 'a in ()', want: [''] },
    { name: 'a trailing comma adds the empty value', input: 'a in (x,)', want: ['x', ''] },
    { name: 'a leading comma adds the empty value', input: 'a in (,x)', want: ['', 'x'] },
  ])('$name', ({ input, want }) => {
    expect(parseLabelSelector(input)[0]?.values).toEqual(want);
  });
});
