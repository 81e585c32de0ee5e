import { describe, expect, it } from 'vitest';
import { resolveGitCheckout } from './git-reference.ts';

describe('resolveGitCheckout', () => {
  it.each([
    { name: 'no ref follows master', input: undefined, want: { kind: 'branch', branch: 'master' } },
    { name: 'an empty ref follows master', input: {}, want: { kind: 'branch', branch: 'master' } },
    { name: 'a branch', input: { branch: 'main' }, want: { kind: 'branch', branch: 'main' } },
    {
      name: 'tag wins over branch',
      input: { branch: 'main', tag: 'v1' },
      want: { kind: 'tag', tag: 'v1' },
    },
    {
      name: 'tag wins over semver, as Flux git client does',
      input: { tag: 'v1', semver: '>=1.0.0' },
      want: { kind: 'tag', tag: 'v1' },
    },
    {
      name: 'semver wins over branch',
      input: { branch: 'main', semver: '1.x' },
      want: { kind: 'semver', semver: '1.x' },
    },
    {
      name: 'name wins over tag and semver',
      input: { name: 'refs/pull/1/head', tag: 'v1', semver: '1.x' },
      want: { kind: 'name', name: 'refs/pull/1/head' },
    },
    {
      name: 'commit wins over everything and keeps the branch to fetch',
      input: { commit: 'abc', branch: 'main', tag: 'v1', name: 'refs/heads/x' },
      want: { kind: 'commit', commit: 'abc', branch: 'main' },
    },
    { name: 'a commit alone', input: { commit: 'abc' }, want: { kind: 'commit', commit: 'abc' } },
  ])('$name', ({ input, want }) => {
    expect(resolveGitCheckout(input)).toEqual(want);
  });
});
