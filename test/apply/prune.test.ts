import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyStaged,
  type ChangeSetEntry,
  deleteObjects,
  diffInventory,
  inventoryFromChangeSet,
  isApplyError,
  KubeClientFactory,
  pruneStale,
  RequestCounter,
  referenceOf,
  toKubeObject,
  waitForTermination,
} from '../../controllers/apply/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { configMap, deployment, type Manifest, serviceAccount } from './fixtures.ts';

let env: TestEnv;
let factory: KubeClientFactory;
let counter: RequestCounter;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'prune' });
  counter = new RequestCounter();
  factory = new KubeClientFactory(env.kubeConfig, { observer: counter.observe });
});
afterAll(async () => {
  await env?.stop();
});

const owner = () => ({ name: 'apps', namespace: env.namespace });

function lines(entries: readonly ChangeSetEntry[]): string[] {
  return entries.map((e) => `${e.subject} ${e.action}`);
}

async function exists(manifest: Manifest): Promise<boolean> {
  const object = toKubeObject(manifest, 'test object');
  return (await factory.controllerClient().get(referenceOf(object))) !== undefined;
}

describe('prune', () => {
  it('deletes what left the set in reverse order, keeping opted-out and foreign objects', async () => {
    const ns = env.namespace;
    const client = factory.controllerClient();
    const keep = configMap(ns, 'keep', { a: '1' });
    const goneDeployment = deployment(ns, 'old-web');
    const goneAccount = serviceAccount(ns, 'old-runner');
    const goneConfig = configMap(ns, 'old-config', { a: '1' });
    const disabled = configMap(
      ns,
      'precious',
      { a: '1' },
      {
        metadata: {
          name: 'precious',
          namespace: ns,
          annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
        },
      },
    );
    const foreign = configMap(ns, 'adopted', { a: '1' });
    const vanished = configMap(ns, 'vanished', { a: '1' });
    const first = await applyStaged(
      client,
      [keep, goneDeployment, goneAccount, goneConfig, disabled, foreign, vanished],
      { owner: owner() },
    );
    const previous = inventoryFromChangeSet(first);
    expect(previous).toContainEqual({ id: `${ns}_old-web_apps_Deployment`, v: 'v1' });

    // Another Kustomization takes over one object; another object is deleted by hand.
    await applyStaged(client, [foreign], { owner: { name: 'other', namespace: ns } });
    await client.delete(referenceOf(toKubeObject(vanished, 'x')), {
      propagationPolicy: 'Background',
    });

    const second = await applyStaged(client, [keep], { owner: owner() });
    const next = inventoryFromChangeSet(second);
    expect(diffInventory(previous, next).map((o) => o.objMetadata.name)).toEqual([
      'old-runner',
      'adopted',
      'old-config',
      'precious',
      'vanished',
      'old-web',
    ]);

    counter.reset();
    const pruned = await pruneStale(client, previous, next, { owner: owner() });
    expect(lines(pruned)).toEqual([
      `Deployment/${ns}/old-web deleted`,
      `ConfigMap/${ns}/vanished deleted`,
      `ConfigMap/${ns}/precious skipped`,
      `ConfigMap/${ns}/old-config deleted`,
      `ConfigMap/${ns}/adopted skipped`,
      `ServiceAccount/${ns}/old-runner deleted`,
    ]);
    const deletes = counter.writes.filter((w) => w.method === 'DELETE').map((w) => w.path);
    expect(deletes).toEqual([
      `/apis/apps/v1/namespaces/${ns}/deployments/old-web`,
      `/api/v1/namespaces/${ns}/configmaps/old-config`,
      `/api/v1/namespaces/${ns}/serviceaccounts/old-runner`,
    ]);
    expect(await exists(keep)).toBe(true);
    expect(await exists(disabled)).toBe(true);
    expect(await exists(foreign)).toBe(true);
    expect(await exists(goneDeployment)).toBe(false);
    expect(await exists(goneAccount)).toBe(false);
    expect(await exists(goneConfig)).toBe(false);
  });

  it('reports a delete denied by RBAC after trying every object', async () => {
    const ns = env.namespace;
    const admin = factory.controllerClient();
    const applied = await applyStaged(
      admin,
      [serviceAccount(ns, 'pruner'), configMap(ns, 'one', { a: '1' })],
      { owner: owner() },
    );
    const stale = diffInventory(
      inventoryFromChangeSet(applied).filter((e) => e.id.includes('ConfigMap')),
      [],
    );
    const error = await deleteObjects(factory.serviceAccountClient(ns, 'pruner'), stale, {
      owner: owner(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isApplyError(error, 'DeleteFailed')).toBe(true);
    if (!isApplyError(error)) return;
    expect(error.message).toContain(`ConfigMap/${ns}/one delete failed`);
    expect(error.message).toContain(`system:serviceaccount:${ns}:pruner`);
    expect(lines(error.changeSet)).toEqual([`ConfigMap/${ns}/one unknown`]);
    expect(await exists(configMap(ns, 'one', {}))).toBe(true);
  });

  it('waits for the termination of deleted objects held by a finalizer', async () => {
    const ns = env.namespace;
    const client = factory.controllerClient();
    const held = configMap(
      ns,
      'held',
      { a: '1' },
      {
        metadata: { name: 'held', namespace: ns, finalizers: ['kustodian.test/hold'] },
      },
    );
    const applied = await applyStaged(client, [held], { owner: owner() });
    const deleted = await pruneStale(client, inventoryFromChangeSet(applied), [], {
      owner: owner(),
    });
    expect(lines(deleted)).toEqual([`ConfigMap/${ns}/held deleted`]);

    const timeout = await waitForTermination(client, deleted, {
      timeoutMs: 300,
      intervalMs: 50,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isApplyError(timeout, 'WaitFailed')).toBe(true);
    expect((timeout as Error).message).toBe(`ConfigMap/${ns}/held termination timeout`);

    const waiting = waitForTermination(client, deleted, { timeoutMs: 20_000, intervalMs: 50 });
    // Releasing the finalizer (the field manager that set it drops it) lets the delete finish.
    await client.apply(toKubeObject(configMap(ns, 'held', { a: '1' }), 'x'), {
      fieldManager: 'kustomize-controller',
      force: true,
      dryRun: false,
    });
    await waiting;
    expect(await exists(held)).toBe(false);
  });
});
