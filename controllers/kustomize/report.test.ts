import { describe, expect, it } from 'vitest';
import type { Condition, Kustomization } from '../../api/index.ts';
import { changesStatus, failedConditions, failureReport, readyConditions } from './report.ts';
import { StepError } from './step-error.ts';
import { AccessDeniedError, StepWait } from './step-outcome.ts';

const context = { now: new Date('2026-01-01T00:00:00Z'), observedGeneration: 4 };
const before = '2025-01-01T00:00:00Z';

function c(type: string, status: Condition['status'], reason: string, message = reason): Condition {
  return { type, status, reason, message, lastTransitionTime: before, observedGeneration: 3 };
}

const ks = {
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: {
    interval: '10m',
    retryInterval: '1m',
    prune: true,
    sourceRef: { kind: 'GitRepository', name: 'fleet' },
  },
} satisfies Kustomization;

const find = (list: Condition[], type: string) => list.find((x) => x.type === type);

describe('readyConditions', () => {
  it.each([
    {
      name: 'a success is Ready with the applied revision and ends Reconciling and Stalled',
      input: {
        conditions: [c('Reconciling', 'True', 'Progressing'), c('Stalled', 'True', 'BuildFailed')],
        health: { checked: false } as const,
        isNewRun: true,
      },
      want: { healthy: undefined, reconciling: undefined, stalled: undefined },
    },
    {
      name: 'a passed health check is Healthy with its message',
      input: {
        conditions: [c('Healthy', 'Unknown', 'Progressing')],
        health: { checked: true, message: 'Health check passed in 2s' } as const,
        isNewRun: true,
      },
      want: { healthy: 'Health check passed in 2s', reconciling: undefined, stalled: undefined },
    },
    {
      name: 'a no-op run keeps the Healthy condition as it was, so nothing is written',
      input: {
        conditions: [c('Healthy', 'True', 'Succeeded', 'Health check passed in 9s')],
        health: { checked: true, message: 'Health check passed in 1s' } as const,
        isNewRun: false,
      },
      want: { healthy: 'Health check passed in 9s', reconciling: undefined, stalled: undefined },
    },
  ])('$name', ({ input, want }) => {
    const next = readyConditions(input.conditions, {
      revision: 'main@sha1:abc',
      health: input.health,
      isNewRun: input.isNewRun,
      context,
    });
    expect(find(next, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: 'Applied revision: main@sha1:abc',
      observedGeneration: 4,
    });
    expect(find(next, 'Healthy')?.message).toBe(want.healthy);
    expect(find(next, 'Reconciling')).toBe(want.reconciling);
    expect(find(next, 'Stalled')).toBe(want.stalled);
  });

  it('keeps lastTransitionTime when Ready was already True with the same message', () => {
    const ready = c('Ready', 'True', 'ReconciliationSucceeded', 'Applied revision: main@sha1:abc');
    const next = readyConditions([ready], {
      revision: 'main@sha1:abc',
      health: { checked: false },
      isNewRun: false,
      context,
    });
    expect(find(next, 'Ready')?.lastTransitionTime).toBe(before);
  });
});

describe('failedConditions', () => {
  it.each([
    {
      name: 'a retryable failure leaves Reconciling as ProgressingWithRetry',
      input: {
        conditions: [c('Reconciling', 'True', 'Progressing', 'Building')],
        error: new StepError('BuildFailed', 'kustomize build failed'),
      },
      want: {
        ready: 'BuildFailed',
        reconciling: 'ProgressingWithRetry',
        stalled: undefined,
        healthy: undefined,
      },
    },
    {
      name: 'a failure a retry cannot fix is Stalled, without Reconciling',
      input: {
        conditions: [c('Reconciling', 'True', 'Progressing')],
        error: new StepError('DecryptionFailed', 'apps/db.yaml: MAC mismatch', {
          retryable: false,
        }),
      },
      want: {
        ready: 'DecryptionFailed',
        reconciling: undefined,
        stalled: 'DecryptionFailed',
        healthy: undefined,
      },
    },
    {
      name: 'a blocked cross-namespace source is AccessDenied and Stalled',
      input: {
        conditions: [],
        error: new AccessDeniedError("can't access 'GitRepository/other/fleet'"),
      },
      want: {
        ready: 'AccessDenied',
        reconciling: undefined,
        stalled: 'AccessDenied',
        healthy: undefined,
      },
    },
    {
      name: 'a failed health check is Healthy=False too',
      input: {
        conditions: [c('Healthy', 'Unknown', 'Progressing')],
        error: new StepError('HealthCheckFailed', 'timeout waiting for: [Deployment/apps/web]'),
      },
      want: {
        ready: 'HealthCheckFailed',
        reconciling: undefined,
        stalled: undefined,
        healthy: 'HealthCheckFailed',
      },
    },
  ])('$name', ({ input, want }) => {
    const next = failedConditions(input.conditions, input.error, context);
    expect(find(next, 'Ready')).toMatchObject({
      status: 'False',
      reason: want.ready,
      message: input.error.message,
    });
    expect(find(next, 'Reconciling')?.reason).toBe(want.reconciling);
    expect(find(next, 'Stalled')?.reason).toBe(want.stalled);
    expect(
      find(next, 'Healthy')?.status === 'False' ? find(next, 'Healthy')?.reason : undefined,
    ).toBe(want.healthy);
  });
});

describe('failureReport', () => {
  it.each([
    {
      name: 'a failure is a Warning event and a retry at retryInterval',
      input: new StepError('ReconciliationFailed', 'Secret/apps/db dry-run failed'),
      want: {
        event: { type: 'Warning', message: 'Secret/apps/db dry-run failed' },
        requeueAfterMs: 60_000,
      },
    },
    {
      name: 'a stalled failure is looked at again at interval',
      input: new StepError('DecryptionFailed', 'MAC mismatch', { retryable: false }),
      want: { event: { type: 'Warning', message: 'MAC mismatch' }, requeueAfterMs: 600_000 },
    },
    {
      name: 'a dependency wait is a Normal notice at its own interval',
      input: new StepWait('DependencyNotReady', "dependency 'a/b' is not ready", {
        requeueAfterMs: 500,
        notice: 'Dependencies do not meet ready condition, retrying in 500ms',
      }),
      want: {
        event: {
          type: 'Normal',
          message: 'Dependencies do not meet ready condition, retrying in 500ms',
        },
        requeueAfterMs: 500,
      },
    },
    {
      name: 'a missing artifact waits without an event',
      input: new StepWait('ArtifactFailed', 'Source artifact not found, retrying in 30s', {
        requeueAfterMs: 30_000,
      }),
      want: { event: undefined, requeueAfterMs: 30_000 },
    },
  ])('$name', ({ input, want }) => {
    expect(failureReport(input, ks)).toEqual(want);
  });
});

describe('changesStatus', () => {
  it.each([
    {
      name: 'equal fields write nothing',
      input: [
        { a: 1, b: [1] },
        { a: 1, b: [1], c: 2 },
      ],
      want: false,
    },
    {
      name: 'key order does not count, as the apiserver sorts keys',
      input: [
        { a: [{ type: 'Ready', status: 'True' }] },
        { a: [{ status: 'True', type: 'Ready' }] },
      ],
      want: false,
    },
    { name: 'a changed field is written', input: [{ a: 2 }, { a: 1 }], want: true },
    { name: 'a new field is written', input: [{ a: 1 }, undefined], want: true },
  ] as const)('$name', ({ input, want }) => {
    expect(changesStatus(input[0], input[1])).toBe(want);
  });
});
