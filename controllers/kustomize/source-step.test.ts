import { describe, expect, it } from 'vitest';
import type { GitRepository, Kustomization } from '../../api/index.ts';
import { checkDependencies } from './dependencies-step.ts';
import { resolveSource } from './source-step.ts';
import { StepError } from './step-error.ts';
import { AccessDeniedError, conditionReasonOf, StepWait } from './step-outcome.ts';

const revision = 'main@sha1:1111111111111111111111111111111111111111';

function kustomization(
  name: string,
  spec: Partial<Kustomization['spec']> = {},
  status?: Kustomization['status'],
): Kustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'apps', generation: 2 },
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...spec,
    },
    ...(status && { status }),
  };
}

const repository: GitRepository = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'fleet', namespace: 'apps' },
  spec: { url: 'https://example.invalid/fleet.git', interval: '1m' },
  status: {
    artifact: {
      path: 'x.tar.gz',
      url: 'http://source/x.tar.gz',
      revision,
      digest: 'sha256:abc',
      lastUpdateTime: '2026-01-01T00:00:00Z',
    },
  },
};

async function failure(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StepError)) throw new Error(`expected a StepError, got ${String(error)}`);
  return error;
}

describe('resolveSource', () => {
  const base = { noCrossNamespaceRefs: false, requeueDependencyMs: 30_000 };

  it('returns the artifact of the referenced GitRepository', async () => {
    const seen: string[] = [];
    const source = await resolveSource(kustomization('a'), {
      ...base,
      getGitRepository: async (ns, name) => {
        seen.push(`${ns}/${name}`);
        return repository;
      },
    });
    expect(seen).toEqual(['apps/fleet']);
    expect(source.artifact).toEqual({
      url: 'http://source/x.tar.gz',
      revision,
      digest: 'sha256:abc',
    });
  });

  it.each([
    {
      name: 'a blocked cross-namespace reference is AccessDenied and not retried',
      input: {
        ks: kustomization('a', {
          sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'other' },
        }),
        noCross: true,
        repo: repository,
      },
      want: {
        type: AccessDeniedError,
        reason: 'AccessDenied',
        retryable: false,
        message:
          "can't access 'GitRepository/other/fleet', cross-namespace references have been blocked",
      },
    },
    {
      name: 'another source kind is refused with a clear reason',
      input: {
        ks: kustomization('a', { sourceRef: { kind: 'OCIRepository', name: 'oci' } }),
        noCross: false,
        repo: repository,
      },
      want: {
        type: StepError,
        reason: 'ArtifactFailed',
        retryable: false,
        message:
          'spec.sourceRef.kind OCIRepository is not supported by kustodian; point sourceRef at a GitRepository',
      },
    },
    {
      name: 'a missing GitRepository waits for retryInterval',
      input: { ks: kustomization('a', { retryInterval: '15s' }), noCross: false, repo: undefined },
      want: {
        type: StepWait,
        reason: 'ArtifactFailed',
        retryable: true,
        message: 'gitrepositories.source.toolkit.fluxcd.io "fleet" not found',
        requeue: 15_000,
      },
    },
    {
      name: 'a GitRepository without an artifact waits for --requeue-dependency',
      input: { ks: kustomization('a'), noCross: false, repo: { ...repository, status: {} } },
      want: {
        type: StepWait,
        reason: 'ArtifactFailed',
        retryable: true,
        message: 'Source artifact not found, retrying in 30s',
        requeue: 30_000,
      },
    },
  ])('$name', async ({ input, want }) => {
    const error = await failure(
      resolveSource(input.ks, {
        noCrossNamespaceRefs: input.noCross,
        requeueDependencyMs: 30_000,
        getGitRepository: async () => input.repo,
      }),
    );
    expect(error).toBeInstanceOf(want.type);
    expect(conditionReasonOf(error)).toBe(want.reason);
    expect(error.retryable).toBe(want.retryable);
    expect(error.message).toBe(want.message);
    if (want.requeue !== undefined) expect((error as StepWait).requeueAfterMs).toBe(want.requeue);
  });
});

describe('checkDependencies', () => {
  const source = {
    ref: { kind: 'GitRepository' as const, name: 'fleet', namespace: 'apps' },
    artifact: { url: '', digest: '', revision },
  };
  const ready = (applied: string, observed = 1) =>
    kustomization(
      'dep',
      {},
      {
        observedGeneration: observed,
        lastAppliedRevision: applied,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    );
  const withGeneration = (ks: Kustomization, generation: number) => ({
    ...ks,
    metadata: { ...ks.metadata, generation },
  });

  it.each([
    {
      name: 'a Ready dependency at the same revision passes',
      input: withGeneration(ready(revision), 1),
      want: undefined,
    },
    {
      name: 'a dependency on another source passes at any revision',
      input: withGeneration(ready('other@sha1:2'), 1),
      other: true,
      want: undefined,
    },
    {
      name: 'a missing dependency is not ready',
      input: undefined,
      want: `dependency 'apps/dep' not found: kustomizations.kustomize.toolkit.fluxcd.io "dep" not found`,
    },
    {
      name: 'a dependency behind its generation is not ready',
      input: withGeneration(ready(revision), 2),
      want: "dependency 'apps/dep' is not ready",
    },
    {
      name: 'a dependency still at an older revision of the same source is not up to date',
      input: withGeneration(ready('main@sha1:0000'), 1),
      want: "dependency 'apps/dep' revision is not up to date",
    },
  ])('$name', async ({ input, other, want }) => {
    const dependency =
      input && other
        ? {
            ...input,
            spec: {
              ...input.spec,
              sourceRef: { kind: 'GitRepository' as const, name: 'elsewhere' },
            },
          }
        : input;
    const run = checkDependencies(kustomization('a', { dependsOn: [{ name: 'dep' }] }), source, {
      requeueDependencyMs: 500,
      getKustomization: async () => dependency,
    });
    if (want === undefined) {
      await expect(run).resolves.toBeUndefined();
      return;
    }
    const error = await failure(run);
    expect(error).toBeInstanceOf(StepWait);
    expect(error.reason).toBe('DependencyNotReady');
    expect(error.message).toBe(want);
    expect((error as StepWait).requeueAfterMs).toBe(500);
    expect((error as StepWait).notice).toBe(
      'Dependencies do not meet ready condition, retrying in 500ms',
    );
  });
});
