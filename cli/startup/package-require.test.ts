import { describe, expect, it } from 'vitest';
import { requireFromPackage, snapshotBlobPath } from './package-require.ts';

describe('snapshotBlobPath', () => {
  it.each([
    {
      name: 'separate value',
      input: ['--snapshot-blob', '/p/dist/snapshot/sops.blob', '--max-semi-space-size=4'],
      want: '/p/dist/snapshot/sops.blob',
    },
    { name: 'joined value', input: ['--snapshot-blob=/p/k.blob'], want: '/p/k.blob' },
    { name: 'no snapshot', input: ['--max-semi-space-size=4'], want: undefined },
  ])('$name', ({ input, want }) => {
    expect(snapshotBlobPath(input)).toBe(want);
  });
});

describe('requireFromPackage', () => {
  it('refuses to load outside a snapshot, naming the package', () => {
    expect(() => requireFromPackage('openpgp')).toThrow(/cannot load openpgp/);
  });
});
