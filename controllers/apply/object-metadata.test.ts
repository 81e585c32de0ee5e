import { describe, expect, it } from 'vitest';
import { isApplyError } from './apply-error.ts';
import { toKubeObject } from './kube-object.ts';
import {
  formatObjMetadata,
  formatSubject,
  objMetadataOf,
  parseObjMetadata,
} from './object-metadata.ts';

describe('inventory ids', () => {
  it.each([
    {
      name: 'namespaced object in a named group',
      input: { namespace: 'apps', name: 'web', group: 'apps', kind: 'Deployment' },
      want: 'apps_web_apps_Deployment',
    },
    {
      name: 'cluster object in the core group',
      input: { namespace: '', name: 'team-a', group: '', kind: 'Namespace' },
      want: '_team-a__Namespace',
    },
    {
      name: 'RBAC name with colons is transcoded to double underscores',
      input: {
        namespace: '',
        name: 'system:auth-delegator',
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
      },
      want: '_system__auth-delegator_rbac.authorization.k8s.io_ClusterRole',
    },
  ])('$name', ({ input, want }) => {
    expect(formatObjMetadata(input)).toBe(want);
    expect(parseObjMetadata(want)).toEqual(input);
  });

  it.each([
    { name: 'no separator is refused', input: 'nothing' },
    { name: 'two fields are refused', input: 'ns_name' },
  ])('$name', ({ input }) => {
    let caught: unknown;
    try {
      parseObjMetadata(input);
    } catch (error) {
      caught = error;
    }
    expect(isApplyError(caught, 'InventoryInvalid')).toBe(true);
  });

  it('subjects follow Flux: Kind/namespace/name, Kind/name for cluster objects', () => {
    expect(formatSubject({ namespace: 'a', name: 'b', group: '', kind: 'ConfigMap' })).toBe(
      'ConfigMap/a/b',
    );
    expect(formatSubject({ namespace: '', name: 'b', group: '', kind: 'Namespace' })).toBe(
      'Namespace/b',
    );
  });
});

describe('object validation at the boundary', () => {
  it.each([
    { name: 'non-object', input: 'x', want: 'object #1 is not an object' },
    { name: 'missing apiVersion', input: { kind: 'A' }, want: 'object #1 has no apiVersion' },
    { name: 'missing kind', input: { apiVersion: 'v1' }, want: 'object #1 has no kind' },
    {
      name: 'missing name',
      input: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
      want: 'object #1 (ConfigMap) has no metadata.name',
    },
    {
      name: 'non-string label',
      input: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 1 } } },
      want: 'object #1 (ConfigMap/a) metadata.labels must map strings to strings',
    },
  ])('$name is refused', ({ input, want }) => {
    expect(() => toKubeObject(input, 'object #1')).toThrow(want);
  });

  it('a valid object is copied, not shared', () => {
    const input = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
    const object = toKubeObject(input, 'object #1');
    object.metadata.name = 'changed';
    expect(input.metadata.name).toBe('web');
    expect(objMetadataOf(toKubeObject(input, 'x'))).toEqual({
      namespace: '',
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
    });
  });
});
