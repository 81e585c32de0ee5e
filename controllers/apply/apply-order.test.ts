import { describe, expect, it } from 'vitest';
import { sortObjects, splitStages } from './apply-order.ts';
import type { KubeObject } from './kube-object.ts';

function obj(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
}

const names = (objects: readonly KubeObject[]): string[] =>
  objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('apply order', () => {
  it('follows Flux kind order, others in the middle by group and kind, webhooks last', () => {
    const input = [
      obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'hook'),
      obj('example.com/v1', 'Widget', 'w', 'ns'),
      obj('apps/v1', 'Deployment', 'web', 'ns'),
      obj('v1', 'Service', 'web', 'ns'),
      obj('networking.k8s.io/v1', 'Ingress', 'web', 'ns'),
      obj('v1', 'Namespace', 'ns'),
      obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
      obj('v1', 'ConfigMap', 'b', 'ns'),
      obj('v1', 'ConfigMap', 'a', 'ns'),
    ];
    expect(names(sortObjects(input))).toEqual([
      'CustomResourceDefinition/widgets.example.com',
      'Namespace/ns',
      'ConfigMap/a',
      'ConfigMap/b',
      'Service/web',
      'Deployment/web',
      'Widget/w',
      'Ingress/web',
      'ValidatingWebhookConfiguration/hook',
    ]);
  });

  it('splits definitions, classes and the rest into stages, leaving out empty ones', () => {
    const stages = splitStages([
      obj('v1', 'ConfigMap', 'cm', 'ns'),
      obj('storage.k8s.io/v1', 'StorageClass', 'fast'),
      obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
      obj('v1', 'Namespace', 'ns'),
    ]);
    expect(stages.map((s) => [s.name, names(s.objects), s.waitForReady])).toEqual([
      ['definitions', ['Namespace/ns', 'ClusterRole/reader'], true],
      ['classes', ['StorageClass/fast'], true],
      ['resources', ['ConfigMap/cm'], false],
    ]);
    expect(splitStages([obj('v1', 'ConfigMap', 'cm', 'ns')]).map((s) => s.name)).toEqual([
      'resources',
    ]);
  });
});
