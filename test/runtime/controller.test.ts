import { ApiextensionsV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Controller,
  ObjectClient,
  objectKey,
  REQUESTED_AT_ANNOTATION,
  type ResourceType,
  requestedAt,
} from '../../controllers/runtime/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { createWidget, createWidgetKind, patchWidget, readWidget, type Widget } from './widget.ts';

let env: TestEnv;
let widgets: ResourceType;
let client: ObjectClient<Widget>;
let controller: Controller<Widget>;
const runs = new Map<string, number>();

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'rt-ctrl' });
  widgets = await createWidgetKind(env.kubeConfig, `${env.namespace}.kustodian.test`);
  client = new ObjectClient<Widget>(env.kubeConfig, widgets);
  controller = new Controller<Widget>({
    name: 'widget',
    resource: widgets,
    kubeConfig: env.kubeConfig,
    logger: pino({ level: 'silent' }),
    concurrency: 2,
    minRetryDelayMs: 20,
    reconcile: async ({ key, object }) => {
      runs.set(key.name, (runs.get(key.name) ?? 0) + 1);
      await client.patchStatus(
        key,
        (latest) => ({
          observedGeneration: latest.metadata?.generation,
          reconciles: (latest.status?.reconciles ?? 0) + 1,
          lastHandledReconcileAt: requestedAt(latest) ?? null,
          conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' }],
        }),
        { current: object },
      );
      return undefined;
    },
  });
  await controller.start();
});

afterAll(async () => {
  await controller?.stop(1_000);
  await env?.kubeConfig
    .makeApiClient(ApiextensionsV1Api)
    .deleteCustomResourceDefinition({ name: `widgets.${widgets.group}` })
    .catch(() => undefined);
  await env?.stop();
});

async function statusOf(name: string): Promise<NonNullable<Widget['status']>> {
  return (await readWidget(env.kubeConfig, widgets, env.namespace, name)).status ?? {};
}

/** Waits until the controller's own cache has seen `check` hold, i.e. the watch delivered it. */
async function cacheShows(name: string, what: string, check: (w: Widget) => boolean) {
  await waitFor(`the watch cache to show ${what}`, async () => {
    const cached = controller.get(env.namespace, name);
    return cached && check(cached) ? true : undefined;
  });
}

describe('Controller against the real apiserver', () => {
  it('reconciles a new object once and its own status write does not queue it again', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'created');
    await waitFor('the first reconcile', async () =>
      (await statusOf('created')).reconciles === 1 ? true : undefined,
    );
    await cacheShows('created', 'the status write', (w) => w.status?.reconciles === 1);
    // The watch has delivered the status update. The first run may still be finishing (its
    // status write can reach the cache before the queue marks the key done); once it has, a run
    // queued by that update would show as queued or as a second run.
    await waitFor('the first run to leave the queue', async () =>
      controller.queue.inFlight.includes(`${env.namespace}/created`) ? undefined : true,
    );
    expect(controller.queue.depth).toBe(0);
    expect(runs.get('created')).toBe(1);
  });

  it('runs again when reconcile.fluxcd.io/requestedAt changes, not on a label change', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'requested');
    await waitFor('the first reconcile', async () =>
      (await statusOf('requested')).reconciles === 1 ? true : undefined,
    );
    await patchWidget(env.kubeConfig, widgets, env.namespace, 'requested', {
      metadata: { labels: { team: 'a' } },
    });
    await cacheShows('requested', 'the label', (w) => w.metadata?.labels?.team === 'a');
    expect(runs.get('requested')).toBe(1);

    const at = new Date().toISOString();
    await patchWidget(env.kubeConfig, widgets, env.namespace, 'requested', {
      metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: at } },
    });
    const status = await waitFor('the requested reconcile', async () => {
      const s = await statusOf('requested');
      return s.lastHandledReconcileAt === at ? s : undefined;
    });
    expect(status.reconciles).toBe(2);
    expect(runs.get('requested')).toBe(2);
  });

  it('runs again when the spec changes (a new generation)', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'resized', 1);
    await waitFor('the first reconcile', async () =>
      (await statusOf('resized')).observedGeneration === 1 ? true : undefined,
    );
    await patchWidget(env.kubeConfig, widgets, env.namespace, 'resized', { spec: { size: 5 } });
    const status = await waitFor('the reconcile of generation 2', async () => {
      const s = await statusOf('resized');
      return s.observedGeneration === 2 ? s : undefined;
    });
    expect(status.reconciles).toBe(2);
  });

  it('skips a suspended object and reconciles it once resumed', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'suspended', 1, true);
    await cacheShows('suspended', 'the new widget', () => true);
    // A later object is reconciled, so the queue has passed the suspended one by now.
    await createWidget(env.kubeConfig, widgets, env.namespace, 'after-suspended');
    await waitFor('the later widget reconciled', async () =>
      (await statusOf('after-suspended')).reconciles === 1 ? true : undefined,
    );
    expect(runs.get('suspended')).toBeUndefined();
    expect(await statusOf('suspended')).toEqual({});

    await patchWidget(env.kubeConfig, widgets, env.namespace, 'suspended', {
      spec: { suspend: false },
    });
    await waitFor('the resumed widget reconciled', async () =>
      (await statusOf('suspended')).reconciles === 1 ? true : undefined,
    );
  });

  it('status patch retries on 409 Conflict and keeps the other writer’s change', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'contended');
    await waitFor('the first reconcile', async () =>
      (await statusOf('contended')).reconciles === 1 ? true : undefined,
    );
    let computes = 0;
    const written = await client.patchStatus(
      objectKey(env.namespace, 'contended'),
      (latest) => {
        computes++;
        return { extra: `computed from ${latest.status?.note ?? 'nothing'}` };
      },
      {
        // A stale copy: another writer changes the object between our read and our write.
        current: await (async () => {
          const stale = await readWidget(env.kubeConfig, widgets, env.namespace, 'contended');
          await patchWidget(
            env.kubeConfig,
            widgets,
            env.namespace,
            'contended',
            { status: { note: 'other writer' } },
            '/status',
          );
          return stale;
        })(),
      },
    );
    expect(computes).toBe(2);
    expect(written?.status).toMatchObject({
      note: 'other writer',
      extra: 'computed from other writer',
    });
  });

  it('adds and removes a finalizer, and removal lets a pending delete finish', async () => {
    await createWidget(env.kubeConfig, widgets, env.namespace, 'finalized');
    const key = objectKey(env.namespace, 'finalized');
    const finalizer = 'finalizers.fluxcd.io';
    const added = await client.addFinalizer(key, finalizer);
    expect(added?.metadata?.finalizers).toEqual([finalizer]);
    // Adding twice is a no-op.
    expect((await client.addFinalizer(key, finalizer))?.metadata?.finalizers).toEqual([finalizer]);

    await env.objects.delete({
      apiVersion: `${widgets.group}/v1`,
      kind: 'Widget',
      metadata: { name: 'finalized', namespace: env.namespace },
    });
    const pending = await client.get(key);
    expect(pending?.metadata?.deletionTimestamp).toBeDefined();
    await client.removeFinalizer(key, finalizer);
    await waitFor('the widget to be gone', async () =>
      (await client.get(key)) === undefined ? true : undefined,
    );
    await waitFor('the cache to drop it', async () =>
      controller.get(env.namespace, 'finalized') === undefined ? true : undefined,
    );
  });
});
