import { describe, expect, it } from 'vitest';
import {
  customPatchSchema,
  hasMergeStrategy,
  kubernetesPatchSchema,
  listStrategy,
  SchemaFormatError,
} from './index.ts';

describe('kubernetesPatchSchema', () => {
  const schema = kubernetesPatchSchema();

  it.each([
    {
      name: 'pod containers merge by name',
      input: { apiVersion: 'v1', kind: 'Pod', path: ['spec', 'containers'] },
      want: { strategy: 'merge', keys: ['name'] },
    },
    {
      name: 'deployment volumes merge and retain keys',
      input: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        path: ['spec', 'template', 'spec', 'volumes'],
      },
      want: { strategy: 'merge,retainKeys', keys: ['name'] },
    },
    {
      name: 'container ports use the list map keys, not only the merge key',
      input: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        path: ['spec', 'template', 'spec', 'containers', '[]', 'ports'],
      },
      want: { strategy: 'merge', keys: ['containerPort', 'protocol'] },
    },
    {
      name: 'finalizers are a primitive merge list without keys',
      input: { apiVersion: 'v1', kind: 'ConfigMap', path: ['metadata', 'finalizers'] },
      want: { strategy: 'merge', keys: [] },
    },
    {
      name: 'container args have no strategy (replaced)',
      input: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        path: ['spec', 'template', 'spec', 'containers', '[]', 'args'],
      },
      want: { strategy: '', keys: [] },
    },
    {
      name: 'a removed API version gets its successor metadata',
      input: {
        apiVersion: 'batch/v1beta1',
        kind: 'CronJob',
        path: ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'],
      },
      want: { strategy: 'merge', keys: ['name'] },
    },
    {
      name: 'map values follow additionalProperties',
      input: { apiVersion: 'v1', kind: 'ConfigMap', path: ['metadata', 'labels', 'any'] },
      want: { strategy: '', keys: [] },
    },
  ])('$name', ({ input, want }) => {
    const found = schema.lookup(input.apiVersion, input.kind, input.path);
    expect(found).toBeDefined();
    expect(listStrategy(found ?? {})).toEqual(want);
  });

  it.each([
    { name: 'unknown kind has no schema', input: ['example.com/v1', 'Widget', []] as const },
    { name: 'unknown field has no schema', input: ['v1', 'Pod', ['spec', 'nope']] as const },
    {
      name: 'elements of a non-list have no schema',
      input: ['v1', 'Pod', ['spec', '[]']] as const,
    },
  ])('$name', ({ input }) => {
    expect(schema.lookup(input[0], input[1], input[2])).toBeUndefined();
  });

  it.each([
    { name: 'deployments are namespaced', input: ['apps/v1', 'Deployment'] as const, want: true },
    { name: 'namespaces are cluster scoped', input: ['v1', 'Namespace'] as const, want: false },
    {
      name: 'cluster roles are cluster scoped',
      input: ['rbac.authorization.k8s.io/v1', 'ClusterRole'] as const,
      want: false,
    },
    { name: 'unknown types are unknown', input: ['x/v1', 'Y'] as const, want: undefined },
  ])('$name', ({ input, want }) => {
    expect(schema.isNamespaced(input[0], input[1])).toBe(want);
  });

  it('names the apiserver it was derived from', () => {
    expect(schema.table.source).toMatch(/^kube-apiserver v1\.\d+\.\d+.* \/openapi\/v2$/);
  });
});

describe('customPatchSchema', () => {
  const document = {
    definitions: {
      'com.example.v1.Widget': {
        'x-kubernetes-group-version-kind': [
          { group: 'example.com', version: 'v1', kind: 'Widget' },
        ],
        properties: { spec: { $ref: '#/definitions/com.example.v1.WidgetSpec' } },
      },
      'com.example.v1.WidgetSpec': {
        properties: {
          parts: {
            type: 'array',
            items: { type: 'object' },
            'x-kubernetes-patch-strategy': 'merge',
            'x-kubernetes-patch-merge-key': 'id',
          },
        },
      },
    },
  };

  it('reads merge keys of a custom resource', () => {
    const schema = customPatchSchema(document, 'widget-schema.json');
    const parts = schema.lookup('example.com/v1', 'Widget', ['spec', 'parts']);
    expect(parts && listStrategy(parts)).toEqual({ strategy: 'merge', keys: ['id'] });
    expect(parts && hasMergeStrategy(parts)).toBe(true);
  });

  it('replaces the built-in schema', () => {
    const schema = customPatchSchema(document, 'widget-schema.json');
    expect(schema.forResource('apps/v1', 'Deployment')).toBeUndefined();
  });

  it('refuses a document without definitions, naming the file', () => {
    expect(() => customPatchSchema({ openapi: '3.0.0' }, 'bad.json')).toThrow(SchemaFormatError);
    expect(() => customPatchSchema([], 'bad.json')).toThrow(/bad\.json: not an OpenAPI v2/);
  });
});
