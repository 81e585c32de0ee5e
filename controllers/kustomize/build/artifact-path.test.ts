import { describe, expect, it } from 'vitest';
import { isRemoteRef, joinArtifactPath } from './artifact-path.ts';

describe('joinArtifactPath', () => {
  it.each([
    {
      name: 'a relative path joins the directory',
      dir: 'apps',
      ref: './db.yaml',
      want: 'apps/db.yaml',
    },
    {
      name: 'a parent reference stays inside',
      dir: 'apps/prod',
      ref: '../base',
      want: 'apps/base',
    },
    {
      name: 'an absolute path counts from the root',
      dir: 'apps',
      ref: '/base/x.yaml',
      want: 'base/x.yaml',
    },
    { name: 'the root itself is empty', dir: 'apps', ref: '..', want: '' },
    { name: 'climbing above the root is refused', dir: 'apps', ref: '../../etc', want: undefined },
  ])('$name', ({ dir, ref, want }) => {
    expect(joinArtifactPath(dir, ref)).toBe(want);
  });
});

describe('isRemoteRef', () => {
  it.each([
    { ref: 'https://github.com/org/repo//deploy?ref=v1', want: true },
    { ref: 'github.com/org/repo/deploy', want: true },
    { ref: 'git@github.com:org/repo.git', want: true },
    { ref: 'git::https://example.com/repo.git', want: true },
    { ref: '../base', want: false },
    { ref: 'deploy.yaml', want: false },
  ])('$ref is remote: $want', ({ ref, want }) => {
    expect(isRemoteRef(ref)).toBe(want);
  });
});
