import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'crd' });
});
afterAll(async () => {
  await env?.stop();
});

function widgetCrd(group: string): V1CustomResourceDefinition {
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
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } },
              },
            },
          },
        },
      ],
    },
  };
}

describe('custom resource definitions on the real apiserver', () => {
  it('becomes Established and then serves and validates its kind', async () => {
    const group = `${env.namespace}.kustodian.test`;
    const extensions = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({ body: widgetCrd(group) });

    const established = await waitFor('the CRD to be Established', async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: `widgets.${group}` });
      const condition = crd.status?.conditions?.find((c) => c.type === 'Established');
      return condition?.status === 'True' ? condition : undefined;
    });
    expect(established.reason).toBe('InitialNamesAccepted');

    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const widget = (base: number) => ({
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: `w${base}` },
      spec: { size: base },
    });
    // The CRD's discovery may lag Established by a moment; the create is the real check.
    await waitFor('the widget kind to be served', async () => {
      await custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: env.namespace,
        plural: 'widgets',
        body: widget(3),
      });
      return true;
    });
    await expect(
      custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: env.namespace,
        plural: 'widgets',
        body: widget(0),
      }),
    ).rejects.toMatchObject({ code: 422 });
    await extensions.deleteCustomResourceDefinition({ name: `widgets.${group}` });
  });
});
