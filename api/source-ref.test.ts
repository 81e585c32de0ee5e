import { describe, expect, it } from 'vitest';
import type { Kustomization } from './kustomization.ts';
import type { SourceKind } from './kustomization-parts.ts';
import { resolveSourceRef } from './source-ref.ts';

function kustomization(kind: SourceKind, namespace?: string): Kustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'team-a' },
    spec: {
      interval: '5m',
      prune: true,
      sourceRef:
        namespace === undefined ? { kind, name: 'fleet' } : { kind, name: 'fleet', namespace },
    },
  };
}

describe('resolveSourceRef', () => {
  it.each([
    {
      name: 'a GitRepository in the same namespace resolves to that namespace',
      input: kustomization('GitRepository'),
      block: true,
      want: { ok: true, ref: { kind: 'GitRepository', name: 'fleet', namespace: 'team-a' } },
    },
    {
      name: 'another namespace is allowed without the flag',
      input: kustomization('GitRepository', 'flux-system'),
      block: false,
      want: { ok: true, ref: { kind: 'GitRepository', name: 'fleet', namespace: 'flux-system' } },
    },
    {
      name: 'another namespace is AccessDenied with --no-cross-namespace-refs',
      input: kustomization('GitRepository', 'flux-system'),
      block: true,
      want: { ok: false, reason: 'AccessDenied' },
    },
    {
      name: 'an OCIRepository is refused as ArtifactFailed',
      input: kustomization('OCIRepository'),
      block: false,
      want: { ok: false, reason: 'ArtifactFailed' },
    },
  ])('$name', ({ input, block, want }) => {
    expect(resolveSourceRef(input, { noCrossNamespaceRefs: block })).toMatchObject(want);
  });

  it('names the unsupported kind and what to do', () => {
    const result = resolveSourceRef(kustomization('Bucket'), { noCrossNamespaceRefs: false });
    expect(result.ok ? '' : result.message).toMatch(/Bucket is not supported.*GitRepository/);
  });
});
