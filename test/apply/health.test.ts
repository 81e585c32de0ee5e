import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplyError,
  applyStaged,
  isApplyError,
  KubeClientFactory,
  type ObjectReference,
  referenceOf,
  toKubeObject,
  waitForSet,
} from '../../controllers/apply/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { deployment, type Manifest, uniqueSuffix, widget, widgetCrd } from './fixtures.ts';

let env: TestEnv;
let factory: KubeClientFactory;
let group: string;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'health' });
  factory = new KubeClientFactory(env.kubeConfig);
  group = `w${uniqueSuffix()}.kustodian.test`;
  await applyStaged(factory.controllerClient(), [widgetCrd(group)], { waitIntervalMs: 200 });
});
afterAll(async () => {
  await factory
    ?.controllerClient()
    .delete(
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: `widgets.${group}`,
      },
      { propagationPolicy: 'Background' },
    )
    .catch(() => undefined);
  await env?.stop();
});

async function applied(manifest: Manifest): Promise<ObjectReference> {
  await applyStaged(factory.controllerClient(), [manifest]);
  return referenceOf(toKubeObject(manifest, 'test object'));
}

describe('health checks with kstatus', () => {
  it('a Deployment becomes Current once its status shows the rollout done', async () => {
    const client = factory.controllerClient();
    const ref = await applied(deployment(env.namespace, 'web'));
    const waiting = waitForSet(client, [ref], { timeoutMs: 20_000, intervalMs: 100 });
    // No kube-controller-manager runs here: play the Deployment controller.
    const live = await client.get(ref);
    await client.patchStatus(ref, {
      observedGeneration: live?.metadata.generation,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    });
    const outcome = await waiting;
    expect(outcome.healthy).toBe(true);
    expect(outcome.objects.map((o) => [o.subject, o.status])).toEqual([
      [`Deployment/${env.namespace}/web`, 'Current'],
    ]);
  });

  it('a Deployment that never rolls out is reported at the timeout', async () => {
    const ref = await applied(deployment(env.namespace, 'stuck'));
    const outcome = await waitForSet(factory.controllerClient(), [ref], {
      timeoutMs: 600,
      intervalMs: 100,
    });
    expect(outcome.healthy).toBe(false);
    expect(outcome.timedOut).toBe(true);
    expect(outcome.message).toBe(
      `timeout waiting for: [Deployment/${env.namespace}/stuck status: 'InProgress': Replicas: 0/1]`,
    );
  });

  it('a custom resource with Ready=False is reported with its reason', async () => {
    const client = factory.controllerClient();
    const ref = await applied(widget(group, env.namespace, 'db', 1));
    const live = await client.get(ref);
    await client.patchStatus(ref, {
      observedGeneration: live?.metadata.generation,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Unreachable', message: 'database unreachable' },
      ],
    });
    const outcome = await waitForSet(client, [ref], { timeoutMs: 500, intervalMs: 100 });
    expect(outcome.healthy).toBe(false);
    expect(outcome.failed.map((o) => [o.subject, o.status, o.message])).toEqual([
      [`Widget/${env.namespace}/db`, 'InProgress', 'database unreachable'],
    ]);
  });

  it('a Stalled custom resource fails early, before the timeout', async () => {
    const client = factory.controllerClient();
    const ref = await applied(widget(group, env.namespace, 'stalled', 1));
    await client.patchStatus(ref, {
      conditions: [{ type: 'Stalled', status: 'True', reason: 'Bad', message: 'invalid config' }],
    });
    const started = Date.now();
    const outcome = await waitForSet(client, [ref], { timeoutMs: 30_000, intervalMs: 100 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.message).toBe(
      `failed early due to stalled resources: [Widget/${env.namespace}/stalled status: 'Failed': invalid config]`,
    );
  });

  it('a custom resource turns Current when Ready=True for its generation', async () => {
    const client = factory.controllerClient();
    const ref = await applied(widget(group, env.namespace, 'cache', 2));
    const live = await client.get(ref);
    await client.patchStatus(ref, {
      observedGeneration: live?.metadata.generation,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', message: '' }],
    });
    expect((await waitForSet(client, [ref], { timeoutMs: 5_000, intervalMs: 100 })).healthy).toBe(
      true,
    );
  });

  it('a missing object is NotFound; an abort ends the wait', async () => {
    const client = factory.controllerClient();
    const ref: ObjectReference = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'absent',
      namespace: env.namespace,
    };
    const outcome = await waitForSet(client, [ref], { timeoutMs: 300, intervalMs: 100 });
    expect(outcome.failed.map((o) => o.status)).toEqual(['NotFound']);

    const controller = new AbortController();
    const waiting = waitForSet(client, [ref], {
      timeoutMs: 30_000,
      intervalMs: 100,
      signal: controller.signal,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    controller.abort();
    const error = await waiting;
    expect(isApplyError(error, 'Aborted')).toBe(true);
    expect(error).toBeInstanceOf(ApplyError);
  });

  it('with failFast, one Failed object ends the wait while others are still in progress', async () => {
    const client = factory.controllerClient();
    const stalled = await applied(widget(group, env.namespace, 'broken', 1));
    await client.patchStatus(stalled, {
      conditions: [{ type: 'Stalled', status: 'True', reason: 'Bad', message: 'no quota' }],
    });
    const pending = await applied(deployment(env.namespace, 'pending'));

    const slow = await waitForSet(client, [stalled, pending], { timeoutMs: 500, intervalMs: 100 });
    expect(slow.timedOut).toBe(true);
    expect(slow.failed.map((o) => o.status)).toEqual(['Failed', 'InProgress']);

    const started = Date.now();
    const fast = await waitForSet(client, [stalled, pending], {
      timeoutMs: 30_000,
      intervalMs: 100,
      failFast: true,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fast.timedOut).toBe(false);
    expect(fast.message).toBe(
      `failed early due to stalled resources: [Widget/${env.namespace}/broken status: 'Failed': no quota]`,
    );
  });
});
