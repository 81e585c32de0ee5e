import { randomBytes } from 'node:crypto';

/** Test objects as plain JSON, the shape the apply engine takes. */
export type Manifest = Record<string, unknown>;

export function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}

export function namespace(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function configMap(
  ns: string,
  name: string,
  data: Record<string, string>,
  extra: Manifest = {},
): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data, ...extra };
}

export function secret(ns: string, name: string, stringData: Record<string, string>): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type: 'Opaque',
    stringData,
  };
}

export function serviceAccount(ns: string, name: string): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } };
}

export function service(ns: string, name: string, port = 80): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: 8080 }] },
  };
}

export function deployment(ns: string, name: string, image = 'nginx:1.27'): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

/** A namespaced `Widget` CRD with a status subresource, in a group of its own. */
export function widgetCrd(group: string): Manifest {
  return {
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
                spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}

export function widget(group: string, ns: string, name: string, size: number): Manifest {
  return {
    apiVersion: `${group}/v1`,
    kind: 'Widget',
    metadata: { name, namespace: ns },
    spec: { size },
  };
}
