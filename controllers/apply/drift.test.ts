import { describe, expect, it } from 'vitest';
import { hasDrifted } from './drift.ts';
import type { KubeObject } from './kube-object.ts';

const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'a',
    namespace: 'ns',
    resourceVersion: '10',
    labels: { app: 'x' },
    managedFields: [{ manager: 'kustomize-controller' }],
  },
  data: { key: 'value' },
};

describe('drift', () => {
  it.each([
    { name: 'identical object has not drifted', change: (o: KubeObject) => o, want: false },
    {
      name: 'managedFields, resourceVersion and status do not count',
      change: (o: KubeObject) => ({
        ...o,
        metadata: { ...o.metadata, resourceVersion: '11', managedFields: [] },
        status: { phase: 'x' },
      }),
      want: false,
    },
    {
      name: 'a changed data value has drifted',
      change: (o: KubeObject) => ({ ...o, data: { key: 'other' } }),
      want: true,
    },
    {
      name: 'a new label has drifted',
      change: (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, labels: { app: 'y' } } }),
      want: true,
    },
    {
      name: 'an empty annotation map equals none',
      change: (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, annotations: {} } }),
      want: false,
    },
    {
      name: 'a dry-run without resourceVersion is a new object',
      change: (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '' } }),
      want: true,
    },
  ])('$name', ({ change, want }) => {
    expect(hasDrifted(live, change(structuredClone(live)))).toBe(want);
  });

  it('an absent live object has drifted', () => {
    expect(hasDrifted(undefined, live)).toBe(true);
  });
});
