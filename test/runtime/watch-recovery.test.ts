import { KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Controller,
  collectionPath,
  kubeRequest,
  ObjectClient,
  type ResourceType,
  ResourceWatch,
} from '../../controllers/runtime/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { createWidget, createWidgetKind, patchWidget, readWidget, type Widget } from './widget.ts';

let env: TestEnv;
let widgets: ResourceType;
let proxy: TcpProxy;
let controller: Controller<Widget>;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'rt-watch' });
  widgets = await createWidgetKind(env.kubeConfig, `${env.namespace}.kustodian.test`);
  proxy = new TcpProxy(new URL(env.server));
  await proxy.listen();
  // The controller reaches the apiserver only through the proxy; the test writes directly.
  const proxied = new KubeConfig();
  proxied.loadFromFile(env.kubeconfigPath);
  proxied.clusters = proxied.clusters.map((cluster) => ({ ...cluster, server: proxy.url }));
  const client = new ObjectClient<Widget>(proxied, widgets);
  controller = new Controller<Widget>({
    name: 'widget',
    resource: widgets,
    kubeConfig: proxied,
    namespace: env.namespace,
    logger: pino({ level: 'silent' }),
    minRetryDelayMs: 50,
    maxRetryDelayMs: 1_000,
    reconcile: async ({ key }) => {
      await client.patchStatus(key, (latest) => ({
        observedGeneration: latest.metadata?.generation,
      }));
      return undefined;
    },
  });
  await controller.start();
});

afterAll(async () => {
  await controller?.stop(1_000);
  await proxy?.close();
  await env?.stop();
});

async function observedGeneration(name: string, generation: number): Promise<true | undefined> {
  const widget = await readWidget(env.kubeConfig, widgets, env.namespace, name);
  return widget.status?.observedGeneration === generation ? true : undefined;
}

describe('watch recovery through a cut connection', () => {
  it('keeps reconciling after every connection to the apiserver is cut mid-watch', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'before-cut');
    await waitFor('before-cut reconciled', () => observedGeneration('before-cut', 1));
    const connectionsBefore = proxy.connections;
    expect(proxy.cut()).toBeGreaterThan(0);

    await createWidget(env.kubeConfig, widgets, env.namespace, 'after-cut');
    await waitFor('after-cut reconciled through a new watch', () =>
      observedGeneration('after-cut', 1),
    );
    expect(proxy.connections).toBeGreaterThan(connectionsBefore);
  });

  it('catches up on what changed while the apiserver was unreachable', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'during-outage-old');
    await waitFor('the old widget reconciled', () => observedGeneration('during-outage-old', 1));
    const restartsBefore = controller.watchRestarts;

    await proxy.close();
    await createWidget(env.kubeConfig, widgets, env.namespace, 'during-outage-new');
    await patchWidget(env.kubeConfig, widgets, env.namespace, 'during-outage-old', {
      spec: { size: 7 },
    });
    // The watch must have noticed the outage and failed to come back at least once.
    await waitFor('the watch to fail against the closed port', async () =>
      controller.watchRestarts > restartsBefore ? true : undefined,
    );
    await proxy.listen();

    await waitFor('the widget created during the outage reconciled', () =>
      observedGeneration('during-outage-new', 1),
    );
    await waitFor('the spec change made during the outage reconciled', () =>
      observedGeneration('during-outage-old', 2),
    );
    expect(controller.hasSynced).toBe(true);
  });
});

describe('watch recovery from 410 Gone', () => {
  it('relists when the apiserver answers that the resourceVersion is too old', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'gone-1');
    const lists: string[] = [];
    const seen = new Set<string>();
    const watch = new ResourceWatch<Widget>({
      kubeConfig: env.kubeConfig,
      resource: widgets,
      namespace: env.namespace,
      logger: pino({ level: 'silent' }),
      // The real list, except that the first one claims resourceVersion 1: as if this watch
      // had been away so long that the apiserver's watch window moved past it.
      list: async () => {
        const list = await kubeRequest<KubernetesListObject<Widget>>(env.kubeConfig, {
          method: 'GET',
          path: collectionPath(widgets, env.namespace),
        });
        lists.push(list.metadata?.resourceVersion ?? '');
        if (lists.length === 1) list.metadata = { ...list.metadata, resourceVersion: '1' };
        return list;
      },
      handler: {
        upsert: (widget) => seen.add(widget.metadata?.name ?? ''),
        remove: () => {},
      },
    });
    await watch.start();
    try {
      // The real apiserver refuses the watch from resourceVersion 1 with 410 Gone; ListWatch
      // must list again, and then watch from the fresh resourceVersion.
      await waitFor('a relist after 410 Gone', async () => (lists.length >= 2 ? true : undefined));
      await createWidget(env.kubeConfig, widgets, env.namespace, 'gone-2');
      await waitFor('an event from the watch after the relist', async () =>
        seen.has('gone-2') ? true : undefined,
      );
      expect(seen.has('gone-1')).toBe(true);
      expect(watch.restarts).toBe(0);
    } finally {
      await watch.stop();
    }
  });
});
