import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { REQUESTED_AT_ANNOTATION, reconcileTrigger, requestedAt } from './event-filter.ts';

function widget(
  generation: number,
  annotations: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): KubernetesObject {
  return {
    apiVersion: 'test/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'ns', generation, annotations, resourceVersion: '1' },
    ...extra,
  };
}

describe('reconcileTrigger', () => {
  it.each([
    {
      name: 'a status-only update does not trigger',
      before: widget(1),
      after: { ...widget(1), status: { observedGeneration: 1 } },
      want: false,
    },
    {
      name: 'a label or other annotation change does not trigger',
      before: widget(1),
      after: widget(1, { 'example.com/note': 'x' }),
      want: false,
    },
    {
      name: 'a spec change (new generation) triggers',
      before: widget(1),
      after: widget(2),
      want: true,
    },
    {
      name: 'a new requestedAt triggers',
      before: widget(1, { [REQUESTED_AT_ANNOTATION]: '2026-01-01T00:00:00Z' }),
      after: widget(1, { [REQUESTED_AT_ANNOTATION]: '2026-01-01T00:00:01Z' }),
      want: true,
    },
    {
      name: 'a deletion triggers',
      before: widget(1),
      after: {
        ...widget(1),
        metadata: { ...widget(1).metadata, deletionTimestamp: new Date(0) },
      },
      want: true,
    },
  ])('$name', ({ before, after, want }) => {
    expect(reconcileTrigger(before) !== reconcileTrigger(after)).toBe(want);
  });

  it('reads the requestedAt annotation', () => {
    expect(requestedAt(widget(1, { [REQUESTED_AT_ANNOTATION]: 'now' }))).toBe('now');
    expect(requestedAt(widget(1))).toBeUndefined();
  });
});
