import type { CoreV1Event } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiserverEventSink, EventRecorder } from '../../controllers/runtime/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { createWidget, createWidgetKind } from './widget.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'rt-events' });
});
afterAll(async () => {
  await env?.stop();
});

async function eventsFor(name: string): Promise<CoreV1Event[]> {
  const list = await env.core.listNamespacedEvent({
    namespace: env.namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}

describe('events on the real apiserver', () => {
  it('writes a core/v1 Event for the object and counts repeats on it', async () => {
    const widgets = await createWidgetKind(env.kubeConfig, `${env.namespace}.kustodian.test`);
    const widget = await createWidget(env.kubeConfig, widgets, env.namespace, 'evented');
    const recorder = new EventRecorder({
      component: 'kustomize-controller',
      sink: apiserverEventSink(env.kubeConfig),
      logger: pino({ level: 'silent' }),
    });
    await recorder.event(widget, 'Warning', 'BuildFailed', 'kustomization.yaml: unknown field', {
      'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:0123',
    });
    await recorder.event(widget, 'Warning', 'BuildFailed', 'kustomization.yaml: unknown field');
    await recorder.event(widget, 'Normal', 'ReconciliationSucceeded', 'applied 3 objects');

    const events = await waitFor('two events', async () => {
      const items = await eventsFor('evented');
      return items.length === 2 ? items : undefined;
    });
    const failed = events.find((e) => e.reason === 'BuildFailed');
    expect(failed).toMatchObject({
      type: 'Warning',
      message: 'kustomization.yaml: unknown field',
      count: 2,
      involvedObject: {
        kind: 'Widget',
        name: 'evented',
        namespace: env.namespace,
        uid: widget.metadata?.uid,
      },
      source: { component: 'kustomize-controller' },
      reportingComponent: 'kustomize-controller',
    });
    expect(failed?.metadata.annotations).toEqual({
      'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:0123',
    });
    expect(events.find((e) => e.reason === 'ReconciliationSucceeded')?.type).toBe('Normal');
  });
});
