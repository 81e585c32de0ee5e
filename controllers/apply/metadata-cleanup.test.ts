import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.ts';
import { mergeFields, metadataCleanupPatch } from './metadata-cleanup.ts';

function live(metadata: Partial<KubeObject['metadata']>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', ...metadata } };
}
const desired = live({});

describe('metadata cleanup before apply', () => {
  it('does nothing for an object only kustomize-controller applied', () => {
    const existing = live({
      managedFields: [{ manager: 'kustomize-controller', operation: 'Apply', fieldsV1: {} }],
    });
    expect(metadataCleanupPatch(desired, existing, 'kustomize-controller')).toEqual([]);
    expect(metadataCleanupPatch(desired, undefined, 'kustomize-controller')).toEqual([]);
  });

  it('merges kubectl edits into our Apply entry and keeps other managers', () => {
    const existing = live({
      managedFields: [
        {
          manager: 'kustomize-controller',
          operation: 'Apply',
          fieldsV1: { 'f:data': { 'f:a': {} } },
        },
        { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } },
        { manager: 'hpa-controller', operation: 'Update', fieldsV1: { 'f:spec': {} } },
        { manager: 'kubectl-edit', operation: 'Update', subresource: 'status', fieldsV1: {} },
      ],
    });
    expect(metadataCleanupPatch(desired, existing, 'kustomize-controller')).toEqual([
      {
        op: 'replace',
        path: '/metadata/managedFields',
        value: [
          { manager: 'hpa-controller', operation: 'Update', fieldsV1: { 'f:spec': {} } },
          { manager: 'kubectl-edit', operation: 'Update', subresource: 'status', fieldsV1: {} },
          {
            manager: 'kustomize-controller',
            operation: 'Apply',
            fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } },
          },
        ],
      },
    ]);
  });

  it('renames the first kubectl entry when we own nothing yet, and drops kubectl annotations', () => {
    const existing = live({
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      labels: { 'fluxcd.io/sync-gc-mark': 'x' },
      managedFields: [
        { manager: 'kubectl-client-side-apply', operation: 'Update', fieldsV1: { 'f:data': {} } },
      ],
    });
    expect(metadataCleanupPatch(desired, existing, 'kustomize-controller')).toEqual([
      {
        op: 'remove',
        path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration',
      },
      { op: 'remove', path: '/metadata/labels/fluxcd.io~1sync-gc-mark' },
      {
        op: 'replace',
        path: '/metadata/managedFields',
        value: [
          { manager: 'kustomize-controller', operation: 'Apply', fieldsV1: { 'f:data': {} } },
        ],
      },
    ]);
  });

  it('leaves ssa: Merge objects alone', () => {
    const existing = live({
      annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: {} }],
    });
    expect(metadataCleanupPatch(desired, existing, 'kustomize-controller')).toEqual([]);
  });

  it('field sets merge as a union of paths', () => {
    expect(mergeFields({ 'f:a': { 'f:b': {} } }, { 'f:a': { 'f:c': {} }, 'f:d': {} })).toEqual({
      'f:a': { 'f:b': {}, 'f:c': {} },
      'f:d': {},
    });
  });
});
