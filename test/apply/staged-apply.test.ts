import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStaged, formatChangeSet } from '../../controllers/apply/index.ts';
import {
  type ApplyEnv,
  actions,
  applyError,
  fastWait as fast,
  startApplyEnv,
} from './apply-env.ts';
import {
  configMap,
  deployment,
  namespace,
  secret,
  service,
  serviceAccount,
  uniqueSuffix,
  widget,
  widgetCrd,
} from './fixtures.ts';

let t: ApplyEnv;
const extraNamespaces: string[] = [];
beforeAll(async () => {
  t = await startApplyEnv('apply');
});
afterAll(async () => {
  await t?.stop(extraNamespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', name })));
});

describe('staged server-side apply', () => {
  it('creates a mixed set, then re-applies it with zero writes, then configures a change', async () => {
    const ns = t.env.namespace;
    const extra = `${ns}-extra`;
    extraNamespaces.push(extra);
    const group = `w${uniqueSuffix()}.kustodian.test`;
    const set = [
      widget(group, ns, 'big', 3),
      deployment(ns, 'web'),
      service(ns, 'web'),
      secret(ns, 'creds', { token: 'not-a-real-token' }),
      configMap(ns, 'settings', { color: 'blue' }),
      configMap(extra, 'elsewhere', { here: 'yes' }),
      serviceAccount(ns, 'runner'),
      widgetCrd(group),
      namespace(extra),
    ];
    const client = t.factory.controllerClient();

    const created = await applyStaged(client, set, { owner: t.owner, ...fast });
    expect(formatChangeSet(created).split('\n')).toEqual([
      `CustomResourceDefinition/widgets.${group} created`,
      `Namespace/${extra} created`,
      `ServiceAccount/${ns}/runner created`,
      `ConfigMap/${ns}/settings created`,
      `ConfigMap/${extra}/elsewhere created`,
      `Secret/${ns}/creds created`,
      `Service/${ns}/web created`,
      `Deployment/${ns}/web created`,
      `Widget/${ns}/big created`,
    ]);
    const cm = await t.live(configMap(ns, 'settings', {}));
    expect(cm?.metadata.labels).toMatchObject({
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': ns,
    });
    const managers = (
      (cm?.metadata.managedFields ?? []) as { manager: string; operation: string }[]
    ).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain('kustomize-controller/Apply');
    const versionsBefore = await Promise.all(
      set.map(async (m) => (await t.live(m))?.metadata.resourceVersion),
    );

    t.counter.reset();
    const again = await applyStaged(client, set, { owner: t.owner, ...fast });
    expect(new Set(again.map((e) => e.action))).toEqual(new Set(['unchanged']));
    expect(t.counter.writes).toEqual([]);
    expect(t.counter.dryRuns).toHaveLength(set.length);
    const versionsAfter = await Promise.all(
      set.map(async (m) => (await t.live(m))?.metadata.resourceVersion),
    );
    expect(versionsAfter).toEqual(versionsBefore);

    t.counter.reset();
    const changedSet = set.map((m) =>
      m === set[4] ? configMap(ns, 'settings', { color: 'green' }) : m,
    );
    const changed = await applyStaged(client, changedSet, { owner: t.owner, ...fast });
    expect(actions(changed)).toMatchObject({ [`ConfigMap/${ns}/settings`]: 'configured' });
    expect(changed.filter((e) => e.action !== 'unchanged')).toHaveLength(1);
    expect(t.counter.writes.map((w) => w.method)).toEqual(['PATCH']);
    expect((await t.live(configMap(ns, 'settings', {})))?.data).toEqual({ color: 'green' });
  });

  it('an immutable change fails without force and recreates the object with force', async () => {
    const ns = t.env.namespace;
    const frozen = (value: string) => configMap(ns, 'frozen', { value }, { immutable: true });
    const client = t.factory.controllerClient();
    await applyStaged(client, [frozen('one')], { owner: t.owner, ...fast });
    const uidBefore = (await t.live(frozen('one')))?.metadata.uid;

    const refused = await applyError(
      applyStaged(client, [frozen('two')], { owner: t.owner, ...fast }),
    );
    expect(refused.code).toBe('DryRunFailed');
    expect(refused.statusCode).toBe(422);
    expect(refused.message).toContain(`ConfigMap/${ns}/frozen dry-run failed (Invalid)`);
    expect(refused.message).toContain('set spec.force');
    expect((await t.live(frozen('one')))?.data).toEqual({ value: 'one' });

    const forced = await applyStaged(client, [frozen('two')], {
      owner: t.owner,
      force: true,
      ...fast,
    });
    expect(actions(forced)).toEqual({ [`ConfigMap/${ns}/frozen`]: 'created' });
    const after = await t.live(frozen('two'));
    expect(after?.data).toEqual({ value: 'two' });
    expect(after?.metadata.uid).not.toBe(uidBefore);
  });

  it('one invalid object means nothing of the set is written', async () => {
    const ns = t.env.namespace;
    const extra = `${ns}-never`;
    const group = `w${uniqueSuffix()}.kustodian.test`;
    const set = [
      namespace(extra),
      widgetCrd(group),
      configMap(ns, 'innocent', { a: 'b' }),
      service(ns, 'broken', 99_999),
    ];
    t.counter.reset();
    const error = await applyError(
      applyStaged(t.factory.controllerClient(), set, { owner: t.owner, ...fast }),
    );
    expect(error.code).toBe('DryRunFailed');
    expect(error.message).toContain(`Service/${ns}/broken dry-run failed (Invalid)`);
    expect(error.changeSet).toEqual([]);
    expect(t.counter.writes).toEqual([]);
    for (const manifest of set) expect(await t.live(manifest)).toBeUndefined();
  });

  it('an invalid object in a namespace the set creates fails in its stage, after the namespace', async () => {
    const ns = t.env.namespace;
    const extra = `${ns}-later`;
    extraNamespaces.push(extra);
    const error = await applyError(
      applyStaged(
        t.factory.controllerClient(),
        [namespace(extra), configMap(ns, 'fine', { a: 'b' }), service(extra, 'broken', 99_999)],
        { owner: t.owner, ...fast },
      ),
    );
    expect(error.message).toContain(`Service/${extra}/broken dry-run failed (Invalid)`);
    // Flux applies stage by stage: the Namespace stage went through, the rest did not.
    expect(actions(error.changeSet)).toEqual({ [`Namespace/${extra}`]: 'created' });
    expect(await t.live(configMap(ns, 'fine', {}))).toBeUndefined();
  });

  it('an object of an unknown kind is refused before anything is written', async () => {
    const ns = t.env.namespace;
    const error = await applyError(
      applyStaged(
        t.factory.controllerClient(),
        [
          configMap(ns, 'unknown-kind-neighbour', { a: 'b' }),
          widget('nowhere.kustodian.test', ns, 'w', 1),
        ],
        { owner: t.owner, ...fast },
      ),
    );
    expect(error.code).toBe('DryRunFailed');
    expect(error.message).toContain(
      'no matches for kind "Widget" in version "nowhere.kustodian.test/v1"',
    );
    expect(await t.live(configMap(ns, 'unknown-kind-neighbour', {}))).toBeUndefined();
  });

  it('an aborted signal stops the apply before any write', async () => {
    const controller = new AbortController();
    controller.abort();
    t.counter.reset();
    const error = await applyError(
      applyStaged(
        t.factory.controllerClient(),
        [configMap(t.env.namespace, 'aborted', { a: 'b' })],
        {
          signal: controller.signal,
        },
      ),
    );
    expect(error.code).toBe('Aborted');
    expect(t.counter.requests).toEqual([]);
  });

  it('drops the namespace of a cluster object, as the apiserver does', async () => {
    const name = `${t.env.namespace}-reader`;
    const entries = await applyStaged(
      t.factory.controllerClient(),
      [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name, namespace: t.env.namespace },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
        },
      ],
      { owner: t.owner, ...fast },
    );
    expect(entries.map((e) => `${e.subject} ${e.action}`)).toEqual([`ClusterRole/${name} created`]);
    await t.factory
      .controllerClient()
      .delete(
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name },
        { propagationPolicy: 'Background' },
      );
  });

  it('with force, an object to recreate is not deleted when another object is invalid', async () => {
    const ns = t.env.namespace;
    const frozen = (value: string) => configMap(ns, 'frozen-too', { value }, { immutable: true });
    const client = t.factory.controllerClient();
    await applyStaged(client, [frozen('one')], { owner: t.owner, ...fast });
    const uidBefore = (await t.live(frozen('one')))?.metadata.uid;
    t.counter.reset();
    const error = await applyError(
      applyStaged(client, [frozen('two'), service(ns, 'invalid-port', 99_999)], {
        owner: t.owner,
        force: true,
        ...fast,
      }),
    );
    expect(error.message).toContain(`Service/${ns}/invalid-port dry-run failed (Invalid)`);
    expect(t.counter.writes).toEqual([]);
    const after = await t.live(frozen('one'));
    expect(after?.metadata.uid).toBe(uidBefore);
    expect(after?.data).toEqual({ value: 'one' });
  });

  it('reports every invalid object of the set at once, in apply order', async () => {
    const ns = t.env.namespace;
    const error = await applyError(
      applyStaged(
        t.factory.controllerClient(),
        [service(ns, 'bad-port', 99_999), configMap(ns, 'Bad_Name', { a: 'b' })],
        { owner: t.owner, ...fast },
      ),
    );
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('2 objects failed the dry-run, nothing was applied:');
    expect(lines[1]).toContain(`ConfigMap/${ns}/Bad_Name dry-run failed (Invalid)`);
    expect(lines[2]).toContain(`Service/${ns}/bad-port dry-run failed (Invalid)`);
  });
});
