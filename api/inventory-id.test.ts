import { describe, expect, it } from 'vitest';
import {
  formatInventoryId,
  InventoryIdError,
  inventoryEntryFor,
  parseInventoryId,
} from './inventory-id.ts';

describe('inventory ids', () => {
  it.each([
    {
      name: 'a namespaced apps object',
      input: { namespace: 'default', name: 'podinfo', group: 'apps', kind: 'Deployment' },
      want: 'default_podinfo_apps_Deployment',
    },
    {
      name: 'a core namespaced object has an empty group',
      input: { namespace: 'apps', name: 'db', group: '', kind: 'Secret' },
      want: 'apps_db__Secret',
    },
    {
      name: 'a cluster-scoped object has an empty namespace',
      input: { namespace: '', name: 'apps', group: '', kind: 'Namespace' },
      want: '_apps__Namespace',
    },
    {
      name: 'a CRD keeps the dots of its name and group',
      input: {
        namespace: '',
        name: 'gitrepositories.source.toolkit.fluxcd.io',
        group: 'apiextensions.k8s.io',
        kind: 'CustomResourceDefinition',
      },
      want: '_gitrepositories.source.toolkit.fluxcd.io_apiextensions.k8s.io_CustomResourceDefinition',
    },
    {
      name: "an RBAC name's colons become double underscores",
      input: {
        namespace: '',
        name: 'system:controller:flux',
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
      },
      want: '_system__controller__flux_rbac.authorization.k8s.io_ClusterRole',
    },
  ])('$name formats as $want and parses back', ({ input, want }) => {
    expect(formatInventoryId(input)).toBe(want);
    expect(parseInventoryId(want)).toEqual(input);
  });

  it.each([
    { name: 'no separator at all', input: 'podinfo' },
    { name: 'only two fields', input: 'default_podinfo' },
    { name: 'three fields', input: 'default_podinfo_Deployment' },
  ])('an id with $name is refused', ({ input }) => {
    expect(() => parseInventoryId(input)).toThrow(InventoryIdError);
  });

  it('builds the inventory entry of an object from its apiVersion', () => {
    expect(
      inventoryEntryFor({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: 'prod' },
      }),
    ).toEqual({ id: 'prod_web_networking.k8s.io_Ingress', v: 'v1' });
    expect(
      inventoryEntryFor({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }),
    ).toEqual({ id: '_prod__Namespace', v: 'v1' });
  });
});
