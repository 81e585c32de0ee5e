import { describe, expect, it } from 'vitest';
import {
  applyGitRepositoryDefaults,
  applyKustomizationDefaults,
  deletesObjectsOnDeletion,
  gitVerificationMode,
  kustomizationRetryIntervalMs,
  kustomizationTimeoutMs,
} from './defaults.ts';
import type { GitRepository } from './git-repository.ts';
import type { Kustomization } from './kustomization.ts';

const gitRepository: GitRepository = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'podinfo', namespace: 'default' },
  spec: { interval: '1m', url: 'https://example.com/podinfo.git' },
};

function kustomization(spec: Partial<Kustomization['spec']> = {}): Kustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'default' },
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...spec,
    },
  };
}

describe('CRD defaults', () => {
  it('GitRepository gets timeout 60s and an unobserved status', () => {
    const defaulted = applyGitRepositoryDefaults(gitRepository);
    expect(defaulted.spec.timeout).toBe('60s');
    expect(defaulted.status).toEqual({ observedGeneration: -1 });
    expect(gitRepository.spec.timeout).toBeUndefined();
  });

  it('verify.mode defaults to HEAD only when verify is present', () => {
    expect(applyGitRepositoryDefaults(gitRepository).spec.verify).toBeUndefined();
    const withVerify = {
      ...gitRepository,
      spec: { ...gitRepository.spec, verify: { secretRef: { name: 'k' } } },
    };
    expect(applyGitRepositoryDefaults(withVerify).spec.verify?.mode).toBe('HEAD');
  });

  it('an existing value is kept', () => {
    const custom = { ...gitRepository, spec: { ...gitRepository.spec, timeout: '2m' } };
    expect(applyGitRepositoryDefaults(custom).spec.timeout).toBe('2m');
  });

  it('Kustomization gets force false and substituteFrom optional false', () => {
    const defaulted = applyKustomizationDefaults(
      kustomization({ postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] } }),
    );
    expect(defaulted.spec.force).toBe(false);
    expect(defaulted.spec.postBuild?.substituteFrom?.[0]?.optional).toBe(false);
    expect(defaulted.status.observedGeneration).toBe(-1);
  });

  it('a status that exists is not replaced by the default', () => {
    const observed = { ...kustomization(), status: { observedGeneration: 3 } };
    expect(applyKustomizationDefaults(observed).status).toEqual({ observedGeneration: 3 });
  });
});

describe('defaults Flux applies in code', () => {
  it.each([
    { name: 'no timeout: interval less 30s', spec: { interval: '10m' }, want: 570_000 },
    { name: 'no timeout, short interval: at least 30s', spec: { interval: '40s' }, want: 30_000 },
    { name: 'an explicit timeout wins', spec: { interval: '10m', timeout: '2m' }, want: 120_000 },
    {
      name: 'an explicit timeout under 30s is raised to 30s',
      spec: { interval: '10m', timeout: '5s' },
      want: 30_000,
    },
  ])('kustomization timeout: $name', ({ spec, want }) => {
    expect(kustomizationTimeoutMs(kustomization(spec))).toBe(want);
  });

  it.each([
    { name: 'retryInterval when set', spec: { retryInterval: '30s' }, want: 30_000 },
    { name: 'interval otherwise', spec: {}, want: 600_000 },
  ])('retry interval is $name', ({ spec, want }) => {
    expect(kustomizationRetryIntervalMs(kustomization(spec))).toBe(want);
  });

  it.each([
    { name: 'MirrorPrune with prune deletes', spec: { prune: true }, want: true },
    { name: 'MirrorPrune without prune orphans', spec: { prune: false }, want: false },
    {
      name: 'Delete deletes even without prune',
      spec: { prune: false, deletionPolicy: 'Delete' as const },
      want: true,
    },
    {
      name: 'WaitForTermination deletes',
      spec: { prune: false, deletionPolicy: 'WaitForTermination' as const },
      want: true,
    },
    {
      name: 'Orphan keeps objects even with prune',
      spec: { prune: true, deletionPolicy: 'Orphan' as const },
      want: false,
    },
  ])('deletion policy: $name', ({ spec, want }) => {
    expect(deletesObjectsOnDeletion(kustomization(spec))).toBe(want);
  });

  it.each([
    { input: undefined, want: 'HEAD' },
    { input: 'head' as const, want: 'HEAD' },
    { input: 'Tag' as const, want: 'Tag' },
    { input: 'TagAndHEAD' as const, want: 'TagAndHEAD' },
  ])('verify mode $input reads as $want', ({ input, want }) => {
    expect(gitVerificationMode(input)).toBe(want);
  });
});
