import { describe, expect, it } from 'vitest';
import type { Artifact, GitRepository } from '../../api/index.ts';
import { contentConfigChanged, includeToPath } from './git-repository-content.ts';

const included: Artifact = {
  path: 'gitrepository/ns/base/abc.tar.gz',
  url: 'http://storage/gitrepository/ns/base/abc.tar.gz',
  revision: 'main@sha1:abc',
  digest: 'sha256:1111',
  lastUpdateTime: '2026-01-01T00:00:00Z',
};

function repo(
  spec: Partial<GitRepository['spec']>,
  status: NonNullable<GitRepository['status']>,
): GitRepository {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'app', namespace: 'ns' },
    spec: { url: 'https://example.com/app.git', interval: '1m', ...spec },
    status,
  };
}

describe('contentConfigChanged', () => {
  it.each<{ name: string; input: GitRepository; includes?: Artifact[]; want: boolean }>([
    { name: 'nothing set and nothing observed is unchanged', input: repo({}, {}), want: false },
    {
      name: 'a new spec.ignore is a change',
      input: repo({ ignore: '*.md' }, {}),
      want: true,
    },
    {
      name: 'the observed spec.ignore is unchanged',
      input: repo({ ignore: '*.md' }, { observedIgnore: '*.md' }),
      want: false,
    },
    {
      name: 'turning submodules on is a change',
      input: repo({ recurseSubmodules: true }, { observedRecurseSubmodules: false }),
      want: true,
    },
    {
      name: 'another sparse checkout directory is a change',
      input: repo({ sparseCheckout: ['a', 'b'] }, { observedSparseCheckout: ['a'] }),
      want: true,
    },
    {
      name: 'verification never done is a change',
      input: repo({ verify: { mode: 'HEAD', secretRef: { name: 'keys' } } }, {}),
      want: true,
    },
    {
      name: 'verification of HEAD done before is unchanged',
      input: repo(
        { verify: { mode: 'HEAD', secretRef: { name: 'keys' } } },
        { sourceVerificationMode: 'HEAD' },
      ),
      want: false,
    },
    {
      name: 'a tag verification now also asking for HEAD is a change',
      input: repo(
        { verify: { mode: 'TagAndHEAD', secretRef: { name: 'keys' } } },
        { sourceVerificationMode: 'Tag' },
      ),
      want: true,
    },
    {
      name: 'the same include with the same artifact is unchanged',
      input: repo(
        { include: [{ repository: { name: 'base' } }] },
        { observedInclude: [{ repository: { name: 'base' } }], includedArtifacts: [included] },
      ),
      includes: [included],
      want: false,
    },
    {
      name: 'a new digest of an included artifact is a change',
      input: repo(
        { include: [{ repository: { name: 'base' } }] },
        { observedInclude: [{ repository: { name: 'base' } }], includedArtifacts: [included] },
      ),
      includes: [{ ...included, digest: 'sha256:2222' }],
      want: true,
    },
    {
      name: 'another toPath is a change',
      input: repo(
        { include: [{ repository: { name: 'base' }, toPath: 'x' }] },
        { observedInclude: [{ repository: { name: 'base' } }], includedArtifacts: [included] },
      ),
      includes: [included],
      want: true,
    },
  ])('$name', ({ input, includes, want }) => {
    expect(contentConfigChanged(input, includes ?? [])).toBe(want);
  });

  it("places an include under the included repository's name by default", () => {
    expect(includeToPath({ repository: { name: 'base' } })).toBe('base');
    expect(includeToPath({ repository: { name: 'base' }, toPath: 'vendor/x' })).toBe('vendor/x');
  });
});
