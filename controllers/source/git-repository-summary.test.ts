import { describe, expect, it } from 'vitest';
import type { Condition } from '../../api/index.ts';
import { SourceFailure } from './git-repository-failure.ts';
import { type RunOutcome, summarizeConditions } from './git-repository-summary.ts';

const context = { now: new Date('2026-01-01T00:00:00Z'), observedGeneration: 3 };

function c(type: string, status: Condition['status'], reason: string, message = reason): Condition {
  return { type, status, reason, message, lastTransitionTime: '2025-01-01T00:00:00Z' };
}

const stored = c(
  'ArtifactInStorage',
  'True',
  'Succeeded',
  "stored artifact for revision 'main@sha1:abc'",
);
const fetchFailed = c('FetchFailed', 'True', 'GitOperationFailed', 'failed to checkout');
const reconciling = c('Reconciling', 'True', 'Progressing', 'building artifact');
const failure = (kind: 'generic' | 'stalling' | 'waiting', reason = 'GitOperationFailed') =>
  new SourceFailure({ reason, condition: 'FetchFailed', kind, message: `${reason} happened` });

describe('summarizeConditions', () => {
  it.each<{
    name: string;
    input: { conditions: Condition[]; outcome: RunOutcome };
    want: {
      ready: Partial<Condition>;
      reconciling?: Partial<Condition>;
      stalled?: Partial<Condition>;
      observed: boolean;
    };
  }>([
    {
      name: 'a stored artifact makes Ready True with its message and ends Reconciling',
      input: { conditions: [stored, reconciling], outcome: { kind: 'success' } },
      want: {
        ready: { status: 'True', reason: 'Succeeded', message: stored.message },
        observed: true,
      },
    },
    {
      name: 'a fetch failure makes Ready False and Reconciling ProgressingWithRetry',
      input: {
        conditions: [stored, fetchFailed, reconciling],
        outcome: { kind: 'failure', failure: failure('generic') },
      },
      want: {
        ready: { status: 'False', reason: 'GitOperationFailed', message: 'failed to checkout' },
        reconciling: { status: 'True', reason: 'ProgressingWithRetry' },
        observed: false,
      },
    },
    {
      name: 'a stalling failure sets Stalled, drops Reconciling and observes the generation',
      input: {
        conditions: [c('FetchFailed', 'True', 'URLInvalid'), reconciling],
        outcome: { kind: 'failure', failure: failure('stalling', 'URLInvalid') },
      },
      want: {
        ready: { status: 'False', reason: 'URLInvalid' },
        stalled: { status: 'True', reason: 'URLInvalid', message: 'URLInvalid happened' },
        observed: true,
      },
    },
    {
      name: 'a failed verification decides Ready',
      input: {
        conditions: [stored, c('SourceVerified', 'False', 'InvalidCommitSignature', 'not signed')],
        outcome: { kind: 'failure', failure: failure('generic', 'InvalidCommitSignature') },
      },
      want: {
        ready: { status: 'False', reason: 'InvalidCommitSignature', message: 'not signed' },
        observed: false,
      },
    },
    {
      name: 'storage failures come before fetch failures',
      input: {
        conditions: [fetchFailed, c('StorageOperationFailed', 'True', 'ArchiveOperationFailed')],
        outcome: { kind: 'failure', failure: failure('generic') },
      },
      want: { ready: { status: 'False', reason: 'ArchiveOperationFailed' }, observed: false },
    },
    {
      name: "a no-op keeps Ready on the stored artifact's message",
      input: { conditions: [stored], outcome: { kind: 'noop' } },
      want: { ready: { status: 'True', message: stored.message }, observed: true },
    },
  ])('$name', ({ input, want }) => {
    const summary = summarizeConditions(input.conditions, input.outcome, context);
    const find = (type: string) => summary.conditions.find((x) => x.type === type);
    expect(find('Ready')).toMatchObject({ ...want.ready, observedGeneration: 3 });
    if (want.reconciling) expect(find('Reconciling')).toMatchObject(want.reconciling);
    else expect(find('Reconciling')).toBeUndefined();
    if (want.stalled) expect(find('Stalled')).toMatchObject(want.stalled);
    else expect(find('Stalled')).toBeUndefined();
    expect(summary.observed).toBe(want.observed);
    expect(summary.isReady).toBe(want.ready.status === 'True');
  });

  it('keeps lastTransitionTime of an unchanged Ready', () => {
    const ready = c('Ready', 'True', 'Succeeded', stored.message);
    const summary = summarizeConditions([ready, stored], { kind: 'noop' }, context);
    expect(summary.conditions.find((x) => x.type === 'Ready')?.lastTransitionTime).toBe(
      '2025-01-01T00:00:00Z',
    );
  });
});
