import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from '../../controllers/runtime/index.ts';
import { kubeRequest } from '../../controllers/runtime/index.ts';
import { waitFor } from '../harness/wait-for.ts';

/** A tiny custom resource for exercising the runtime: spec.size, and a status we write. */
export interface Widget extends KubernetesObject {
  spec?: { size?: number; suspend?: boolean };
  status?: {
    observedGeneration?: number;
    reconciles?: number;
    lastHandledReconcileAt?: string;
    note?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

/** Creates a Widget CRD in a group of its own (one per test file) and waits until it serves. */
export async function createWidgetKind(
  kubeConfig: KubeConfig,
  group: string,
): Promise<ResourceType> {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: { type: 'integer' }, suspend: { type: 'boolean' } },
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
  // Raw JSON: client-node's serializer would drop the `x-kubernetes-*` keys of a plain object.
  await kubeRequest(kubeConfig, {
    method: 'POST',
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    body: crd,
  });
  const resource: ResourceType = {
    group,
    version: 'v1',
    plural: 'widgets',
    kind: 'Widget',
    namespaced: true,
  };
  await waitFor('the Widget kind to be served', async () => {
    await kubeRequest(kubeConfig, { method: 'GET', path: `/apis/${group}/v1/widgets` });
    return true;
  });
  return resource;
}

export async function createWidget(
  kubeConfig: KubeConfig,
  resource: ResourceType,
  namespace: string,
  name: string,
  size = 1,
  suspend = false,
): Promise<Widget> {
  return kubeRequest<Widget>(kubeConfig, {
    method: 'POST',
    path: `/apis/${resource.group}/v1/namespaces/${namespace}/widgets`,
    body: {
      apiVersion: `${resource.group}/v1`,
      kind: 'Widget',
      metadata: { name, namespace },
      spec: { size, ...(suspend && { suspend }) },
    },
  });
}

export async function patchWidget(
  kubeConfig: KubeConfig,
  resource: ResourceType,
  namespace: string,
  name: string,
  patch: Record<string, unknown>,
  subresource = '',
): Promise<Widget> {
  return kubeRequest<Widget>(kubeConfig, {
    method: 'PATCH',
    path: `/apis/${resource.group}/v1/namespaces/${namespace}/widgets/${name}${subresource}`,
    contentType: 'application/merge-patch+json',
    body: patch,
  });
}

export async function readWidget(
  kubeConfig: KubeConfig,
  resource: ResourceType,
  namespace: string,
  name: string,
): Promise<Widget> {
  return kubeRequest<Widget>(kubeConfig, {
    method: 'GET',
    path: `/apis/${resource.group}/v1/namespaces/${namespace}/widgets/${name}`,
  });
}
