import { describe, expect, it } from 'vitest';
import { GitError } from './git-error.ts';
import {
  formatRevision,
  lsRemotePatterns,
  parseLsRemote,
  parseRevision,
  pickSemverTag,
  resolveReference,
} from './git-reference.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const T = 'd'.repeat(40);

const refs = parseLsRemote(
  [
    `${A}\tHEAD`,
    `${A}\trefs/heads/master`,
    `${B}\trefs/heads/dev`,
    `${C}\trefs/tags/v1.0.0`,
    `${T}\trefs/tags/v1.1.0`,
    `${B}\trefs/tags/v1.1.0^{}`,
    `${A}\trefs/tags/v2.0.0-rc.1`,
    `${A}\trefs/tags/latest`,
    `${A}\trefs/tags/release-9`,
    `${C}\trefs/tags/v0.9`,
    `${C}\trefs/pull/7/head`,
  ].join('\n'),
);

describe('parseLsRemote', () => {
  it('folds peeled tags into their tag', () => {
    expect(refs.get('refs/tags/v1.1.0')).toEqual({ hash: T, peeled: B });
    expect(refs.has('refs/tags/v1.1.0^{}')).toBe(false);
  });
});

describe('resolveReference', () => {
  it.each([
    { name: 'default is master', ref: undefined, want: `master@sha1:${A}` },
    { name: 'branch', ref: { branch: 'dev' }, want: `dev@sha1:${B}` },
    { name: 'lightweight tag', ref: { tag: 'v1.0.0' }, want: `v1.0.0@sha1:${C}` },
    {
      name: 'annotated tag uses the peeled commit',
      ref: { tag: 'v1.1.0' },
      want: `v1.1.0@sha1:${B}`,
    },
    { name: 'semver picks highest release', ref: { semver: '>=1.0.0' }, want: `v1.1.0@sha1:${B}` },
    {
      name: 'semver beats tag',
      ref: { semver: '~1.0.0', tag: 'v1.1.0' },
      want: `v1.0.0@sha1:${C}`,
    },
    {
      name: 'name beats semver',
      ref: { name: 'refs/pull/7/head', semver: '*' },
      want: `refs/pull/7/head@sha1:${C}`,
    },
    { name: 'commit beats name', ref: { commit: B, name: 'refs/heads/master' }, want: `sha1:${B}` },
    { name: 'commit with branch', ref: { commit: B, branch: 'dev' }, want: `dev@sha1:${B}` },
  ])('$name', ({ ref, want }) => {
    expect(resolveReference(ref, refs).revision).toBe(want);
  });

  it.each([
    { name: 'missing branch', ref: { branch: 'gone' } },
    { name: 'missing tag', ref: { tag: 'v0' } },
    { name: 'no semver match', ref: { semver: '>=3' } },
    { name: 'invalid semver range', ref: { semver: 'not a range' } },
    { name: 'short commit', ref: { commit: 'abc123' } },
    { name: 'commit on missing branch', ref: { commit: A, branch: 'gone' } },
  ])('$name is ReferenceNotFound', ({ ref }) => {
    expect(() => resolveReference(ref, refs)).toThrow(GitError);
    try {
      resolveReference(ref, refs);
    } catch (error) {
      expect((error as GitError).code).toBe('ReferenceNotFound');
    }
  });
});

describe('revisions', () => {
  it('formats and parses Flux revisions', () => {
    expect(formatRevision('main', A)).toBe(`main@sha1:${A}`);
    expect(formatRevision(undefined, A)).toBe(`sha1:${A}`);
    expect(parseRevision(`refs/heads/main@sha1:${A}`)).toEqual({
      name: 'refs/heads/main',
      commit: A,
    });
    expect(parseRevision(`sha1:${A}`)).toEqual({ commit: A });
  });

  it('semver ignores tags that are not versions', () => {
    expect(pickSemverTag(refs, '*')).toBe('v1.1.0');
    expect(pickSemverTag(refs, '>=9')).toBeUndefined();
  });

  it('semver reads a short tag like v0.9 as 0.9.0', () => {
    expect(pickSemverTag(refs, '<1.0.0')).toBe('v0.9');
  });

  it('ls-remote patterns only ask for what the ref needs', () => {
    expect(lsRemotePatterns(undefined)).toEqual(['refs/heads/master']);
    expect(lsRemotePatterns({ commit: A })).toEqual([]);
    expect(lsRemotePatterns({ semver: '*' })).toEqual(['refs/tags/*']);
  });
});
