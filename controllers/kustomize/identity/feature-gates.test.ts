import { describe, expect, it } from 'vitest';
import { parseFeatureGates } from './feature-gates.ts';

describe('parseFeatureGates', () => {
  it.each([
    { name: 'empty gives no gates', input: '', want: [] },
    {
      name: 'pairs are read with Go boolean spellings',
      input:
        'ObjectLevelWorkloadIdentity=true, StrictPostBuildSubstitutions=false,GroupChangeLog=1',
      want: [
        ['ObjectLevelWorkloadIdentity', true],
        ['StrictPostBuildSubstitutions', false],
        ['GroupChangeLog', true],
      ],
    },
    { name: 'the last value of a gate wins', input: 'A=true,A=F', want: [['A', false]] },
  ])('$name', ({ input, want }) => {
    expect([...parseFeatureGates(input)]).toEqual(want);
  });

  it.each([
    { name: 'a gate without a value is refused by name', input: 'ObjectLevelWorkloadIdentity' },
    { name: 'a value that is not a boolean is refused', input: 'A=yes' },
  ])('$name', ({ input }) => {
    expect(() => parseFeatureGates(input)).toThrow(`--feature-gates: "${input}" is not Name=true`);
  });
});
