import { describe, expect, it } from 'vitest';
import {
  findCondition,
  isReadyForGeneration,
  markReconciling,
  markStalled,
  maxConditionMessageLength,
  setCondition,
} from './conditions.ts';
import type { Condition } from './meta.ts';

const t0 = new Date('2026-01-01T00:00:00.900Z');
const t1 = new Date('2026-01-01T00:05:00Z');

const ready: Condition = {
  type: 'Ready',
  status: 'True',
  observedGeneration: 1,
  lastTransitionTime: '2026-01-01T00:00:00Z',
  reason: 'ReconciliationSucceeded',
  message: 'Applied revision: main@sha1:aaa',
};

describe('setCondition', () => {
  it.each([
    {
      name: 'a new condition is stamped with now (whole seconds) and the generation',
      input: { status: 'True', reason: 'Succeeded', message: 'ok', generation: 2 },
      want: { lastTransitionTime: '2026-01-01T00:05:00Z', observedGeneration: 2 },
      existing: [] as Condition[],
    },
    {
      name: 'an unchanged condition keeps its lastTransitionTime but takes the new generation',
      input: {
        status: 'True',
        reason: 'ReconciliationSucceeded',
        message: 'Applied revision: main@sha1:aaa',
        generation: 3,
      },
      want: { lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 },
      existing: [ready],
    },
    {
      name: 'a status change moves lastTransitionTime',
      input: {
        status: 'False',
        reason: 'ReconciliationSucceeded',
        message: 'Applied revision: main@sha1:aaa',
        generation: 1,
      },
      want: { lastTransitionTime: '2026-01-01T00:05:00Z', observedGeneration: 1 },
      existing: [ready],
    },
    {
      name: 'a new message moves lastTransitionTime, as Flux does',
      input: {
        status: 'True',
        reason: 'ReconciliationSucceeded',
        message: 'Applied revision: main@sha1:bbb',
        generation: 1,
      },
      want: { lastTransitionTime: '2026-01-01T00:05:00Z', observedGeneration: 1 },
      existing: [ready],
    },
    {
      name: 'a new reason moves lastTransitionTime, as Flux does',
      input: {
        status: 'True',
        reason: 'Succeeded',
        message: 'Applied revision: main@sha1:aaa',
        generation: 1,
      },
      want: { lastTransitionTime: '2026-01-01T00:05:00Z', observedGeneration: 1 },
      existing: [ready],
    },
  ] as const)('$name', ({ input, want, existing }) => {
    const next = setCondition(
      existing,
      { type: 'Ready', status: input.status, reason: input.reason, message: input.message },
      { now: t1, observedGeneration: input.generation },
    );
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ type: 'Ready', ...want });
  });

  it('does not change the list it is given', () => {
    const existing = [ready];
    const copy = structuredClone(existing);
    setCondition(
      existing,
      { type: 'Ready', status: 'False', reason: 'Failed', message: 'x' },
      {
        now: t1,
        observedGeneration: 9,
      },
    );
    expect(existing).toEqual(copy);
  });

  it('orders Stalled, Reconciling and Ready first, then the rest by type', () => {
    let list: Condition[] = [];
    for (const type of ['Healthy', 'Ready', 'ArtifactInStorage', 'Reconciling', 'Stalled']) {
      list = setCondition(
        list,
        { type, status: 'True', reason: 'Succeeded', message: '' },
        {
          now: t0,
          observedGeneration: 1,
        },
      );
    }
    expect(list.map((c) => c.type)).toEqual([
      'Stalled',
      'Reconciling',
      'Ready',
      'ArtifactInStorage',
      'Healthy',
    ]);
  });

  it('trims a message longer than the schema allows', () => {
    const next = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'é'.repeat(40_000) },
      {
        now: t0,
        observedGeneration: 1,
      },
    );
    const message = next[0]?.message ?? '';
    expect([...message]).toHaveLength(maxConditionMessageLength);
    expect(message.endsWith('...')).toBe(true);
  });
});

describe('markReconciling and markStalled', () => {
  const context = { now: t1, observedGeneration: 4 };

  it('markReconciling sets Reconciling=True and removes Stalled', () => {
    const stalled = markStalled([ready], 'BuildFailed', 'broken', context);
    const next = markReconciling(stalled, 'Progressing', 'reconciling', context);
    expect(findCondition(next, 'Stalled')).toBeUndefined();
    expect(findCondition(next, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Progressing',
    });
    expect(findCondition(next, 'Ready')).toEqual(ready);
  });

  it('markStalled sets Stalled=True and removes Reconciling', () => {
    const reconciling = markReconciling([], 'Progressing', 'reconciling', context);
    const next = markStalled(reconciling, 'InvalidPath', 'no such path', context);
    expect(next.map((c) => c.type)).toEqual(['Stalled']);
  });
});

describe('isReadyForGeneration', () => {
  it.each([
    {
      name: 'Ready=True at the current generation is ready',
      generation: 1,
      observed: 1,
      status: 'True',
      want: true,
    },
    {
      name: 'Ready=True for an older generation is not ready',
      generation: 2,
      observed: 1,
      status: 'True',
      want: false,
    },
    { name: 'Ready=False is not ready', generation: 1, observed: 1, status: 'False', want: false },
  ] as const)('$name', ({ generation, observed, status, want }) => {
    const object = {
      metadata: { generation },
      status: { observedGeneration: observed, conditions: [{ ...ready, status }] },
    };
    expect(isReadyForGeneration(object)).toBe(want);
  });

  it('an object without conditions is not ready', () => {
    expect(
      isReadyForGeneration({ metadata: { generation: 1 }, status: { observedGeneration: 1 } }),
    ).toBe(false);
  });
});
