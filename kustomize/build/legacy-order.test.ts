import { describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap } from 'yaml';
import { createResource, getKind, getName } from '../resource/resource.ts';
import { sortLegacy } from './legacy-order.ts';

const resource = (apiVersion: string, kind: string, name: string, namespace = '') =>
  createResource(
    parseDocument(
      `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}`,
    ).contents as YAMLMap,
    'test',
  );

describe('sortLegacy (kustomize legacy order)', () => {
  it('puts kinds in kustomize order, webhooks last, others by gvk in between', () => {
    const sorted = sortLegacy([
      resource('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'v'),
      resource('example.com/v1', 'Widget', 'w'),
      resource('apps/v1', 'Deployment', 'd'),
      resource('v1', 'ConfigMap', 'c'),
      resource('v1', 'Namespace', 'n'),
      resource('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'crd'),
    ]);
    expect(sorted.map(getKind)).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'ConfigMap',
      'Deployment',
      'Widget',
      'ValidatingWebhookConfiguration',
    ]);
  });

  it('orders one kind by namespace, then name', () => {
    const sorted = sortLegacy([
      resource('v1', 'ConfigMap', 'b', 'zz'),
      resource('v1', 'ConfigMap', 'a', 'zz'),
      resource('v1', 'ConfigMap', 'c', 'aa'),
      resource('v1', 'ConfigMap', 'd'),
    ]);
    expect(sorted.map(getName)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('accepts custom first and last kinds (sortOptions)', () => {
    const sorted = sortLegacy(
      [
        resource('v1', 'ConfigMap', 'c'),
        resource('v1', 'Service', 's'),
        resource('v1', 'Namespace', 'n'),
      ],
      { orderFirst: ['Service'], orderLast: ['ConfigMap'] },
    );
    expect(sorted.map(getKind)).toEqual(['Service', 'Namespace', 'ConfigMap']);
  });
});
