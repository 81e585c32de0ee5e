import { describe, expect, it } from 'vitest';
import { branchRevision, formatRevision, parseRevision, tagRevision } from './revision.ts';

const sha1 = '5394cb7f48332b2de7c17dd8b8384bbc84b7e738';
const sha256 = 'a'.repeat(64);

describe('artifact revisions', () => {
  it.each([
    { name: 'a branch', input: ['refs/heads/main', sha1], want: `main@sha1:${sha1}` },
    {
      name: 'a nested branch',
      input: ['refs/heads/feature/x', sha1],
      want: `feature/x@sha1:${sha1}`,
    },
    { name: 'a tag', input: ['refs/tags/v1.2.3', sha1], want: `v1.2.3@sha1:${sha1}` },
    {
      name: 'a pull request ref',
      input: ['refs/pull/420/head', sha1],
      want: `420/head@sha1:${sha1}`,
    },
    { name: 'a bare commit', input: ['', sha1], want: `sha1:${sha1}` },
    {
      name: 'a SHA-256 repository',
      input: ['refs/heads/main', sha256],
      want: `main@sha256:${sha256}`,
    },
  ] as const)('$name formats as Flux does', ({ input, want }) => {
    expect(formatRevision(input[0], input[1])).toBe(want);
  });

  it('has shorthands for branches and tags', () => {
    expect(branchRevision('main', sha1)).toBe(`main@sha1:${sha1}`);
    expect(tagRevision('v1.0.0', sha1)).toBe(`v1.0.0@sha1:${sha1}`);
  });

  it.each([
    {
      name: 'current branch form',
      input: `main@sha1:${sha1}`,
      want: { name: 'main', algorithm: 'sha1', hash: sha1 },
    },
    {
      name: 'nested branch form',
      input: `feature/x@sha1:${sha1}`,
      want: { name: 'feature/x', algorithm: 'sha1', hash: sha1 },
    },
    {
      name: 'bare digest form',
      input: `sha1:${sha1}`,
      want: { name: '', algorithm: 'sha1', hash: sha1 },
    },
    {
      name: 'legacy branch form',
      input: `main/${sha1}`,
      want: { name: 'main', algorithm: 'sha1', hash: sha1 },
    },
    {
      name: 'legacy HEAD form',
      input: `HEAD/${sha1}`,
      want: { name: '', algorithm: 'sha1', hash: sha1 },
    },
    { name: 'legacy bare hash', input: sha1, want: { name: '', algorithm: 'sha1', hash: sha1 } },
  ])('parses the $name', ({ input, want }) => {
    expect(parseRevision(input)).toEqual(want);
  });
});
