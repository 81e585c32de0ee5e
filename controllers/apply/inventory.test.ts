import { describe, expect, it } from 'vitest';
import { changeSetEntry } from './change-set.ts';
import { anyInMetadata, hasOwnerLabels, pruneExclusions } from './flux-metadata.ts';
import { diffInventory, inventoryFromChangeSet, listInventory } from './inventory.ts';
import type { KubeObject } from './kube-object.ts';

describe('inventory', () => {
  it('is built from every change-set entry with its version', () => {
    const entries = [
      changeSetEntry(
        { namespace: 'a', name: 'web', group: 'apps', kind: 'Deployment' },
        'v1',
        'created',
      ),
      changeSetEntry({ namespace: '', name: 'a', group: '', kind: 'Namespace' }, 'v1', 'unchanged'),
    ];
    expect(inventoryFromChangeSet(entries)).toEqual([
      { id: 'a_web_apps_Deployment', v: 'v1' },
      { id: '_a__Namespace', v: 'v1' },
    ]);
  });

  it('diff returns what left the set, in apply order, ignoring version changes', () => {
    const previous = [
      { id: 'a_web_apps_Deployment', v: 'v1' },
      { id: 'a_cfg__ConfigMap', v: 'v1' },
      { id: '_a__Namespace', v: 'v1' },
      { id: 'a_hpa_autoscaling_HorizontalPodAutoscaler', v: 'v1' },
    ];
    const next = [
      { id: 'a_hpa_autoscaling_HorizontalPodAutoscaler', v: 'v2' },
      { id: 'a_cfg__ConfigMap', v: 'v1' },
    ];
    expect(diffInventory(previous, next).map((o) => o.reference)).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', name: 'a', namespace: undefined },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'a' },
    ]);
    expect(listInventory(next).map((o) => o.reference.apiVersion)).toEqual([
      'v1',
      'autoscaling/v2',
    ]);
  });
});

describe('Flux metadata selectors', () => {
  const object = (
    labels: Record<string, string>,
    annotations: Record<string, string>,
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', labels, annotations },
  });

  it.each([
    {
      name: 'prune disabled by annotation',
      input: object({}, { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }),
      want: true,
    },
    {
      name: 'prune disabled by label',
      input: object({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }, {}),
      want: true,
    },
    {
      name: 'ssa Ignore',
      input: object({}, { 'kustomize.toolkit.fluxcd.io/ssa': 'Ignore' }),
      want: true,
    },
    {
      name: 'another value',
      input: object({}, { 'kustomize.toolkit.fluxcd.io/prune': 'enabled' }),
      want: false,
    },
  ])('$name → excluded from prune: $want', ({ input, want }) => {
    expect(anyInMetadata(input, pruneExclusions)).toBe(want);
  });

  it('owner labels must all match', () => {
    const owner = { name: 'apps', namespace: 'flux' };
    const labels = {
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux',
    };
    expect(hasOwnerLabels(object(labels, {}), owner)).toBe(true);
    expect(
      hasOwnerLabels(
        object({ ...labels, 'kustomize.toolkit.fluxcd.io/namespace': 'x' }, {}),
        owner,
      ),
    ).toBe(false);
    expect(hasOwnerLabels(object({}, {}), owner)).toBe(false);
  });
});
