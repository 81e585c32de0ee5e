import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Controller,
  kubeRequest,
  LeaderElector,
  Manager,
  ObjectClient,
  type ResourceType,
  RuntimeMetrics,
} from '../../controllers/runtime/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { createWidget, createWidgetKind, readWidget, type Widget } from './widget.ts';

let env: TestEnv;
let widgets: ResourceType;
const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'rt-lease' });
  widgets = await createWidgetKind(env.kubeConfig, `${env.namespace}.kustodian.test`);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await env?.stop();
});

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

async function leaseSpec(name: string): Promise<LeaseSpec> {
  const lease = await kubeRequest<{ spec?: LeaseSpec }>(env.kubeConfig, {
    method: 'GET',
    path: `/apis/coordination.k8s.io/v1/namespaces/${env.namespace}/leases/${name}`,
  });
  return lease.spec ?? {};
}

function elector(name: string, identity: string, releaseOnStop = true) {
  const events: string[] = [];
  const instance = new LeaderElector({
    kubeConfig: env.kubeConfig,
    namespace: env.namespace,
    name,
    identity,
    leaseDurationMs: 2_000,
    renewDeadlineMs: 1_500,
    retryPeriodMs: 100,
    releaseOnStop,
    logger: silent,
    onStartedLeading: () => {
      events.push('started');
    },
    onStoppedLeading: () => {
      events.push('stopped');
    },
  });
  cleanups.push(() => instance.stop());
  return { instance, events };
}

describe('leader election on a real Lease', () => {
  it('one instance leads, renews, and hands over at once when it releases', async () => {
    const a = elector('handover', 'a');
    const b = elector('handover', 'b');
    a.instance.start();
    await waitFor('a to lead', async () => (a.instance.isLeader ? true : undefined));
    b.instance.start();
    // While a renews, b only watches: wait for two renewals a makes after b started.
    const first = (await leaseSpec('handover')).renewTime;
    await waitFor('a to renew twice', async () => {
      const spec = await leaseSpec('handover');
      return spec.renewTime !== first && spec.holderIdentity === 'a' ? spec : undefined;
    });
    expect(b.instance.isLeader).toBe(false);

    const released = Date.now();
    await a.instance.stop();
    expect(a.events).toEqual(['started', 'stopped']);
    await waitFor('b to lead', async () => (b.instance.isLeader ? true : undefined));
    // A released lease is taken without waiting for the 2 s lease duration to pass.
    expect(Date.now() - released).toBeLessThan(1_500);
    const spec = await leaseSpec('handover');
    expect(spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('takes over a lease whose holder vanished only after the lease duration', async () => {
    const crashed = elector('takeover', 'crashed', false);
    crashed.instance.start();
    await waitFor('crashed to lead', async () => (crashed.instance.isLeader ? true : undefined));
    const standby = elector('takeover', 'standby');
    standby.instance.start();
    await crashed.instance.stop(); // no release: as if the process died
    const stoppedAt = Date.now();
    await waitFor('standby to lead', async () => (standby.instance.isLeader ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    // The record stopped changing at stoppedAt at the latest; 2 s later it counts as expired.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1_800);
    expect((await leaseSpec('takeover')).holderIdentity).toBe('standby');
  });

  it('a leader whose requests hang stops leading within the renew deadline', async () => {
    const proxy = new TcpProxy(new URL(env.server));
    await proxy.listen();
    cleanups.push(() => proxy.close());
    const proxied = new KubeConfig();
    proxied.loadFromFile(env.kubeconfigPath);
    proxied.clusters = proxied.clusters.map((cluster) => ({ ...cluster, server: proxy.url }));
    const calls: string[] = [];
    let lostAt = 0;
    const manager = new Manager({
      kubeConfig: proxied,
      logger: silent,
      metrics: new RuntimeMetrics({ defaultMetrics: false }),
      leaderElection: {
        namespace: env.namespace,
        name: 'cut-off',
        identity: 'cut-off-leader',
        leaseDurationMs: 2_000,
        renewDeadlineMs: 1_500,
        retryPeriodMs: 100,
      },
      onLostLeadership: () => {
        lostAt = Date.now();
      },
    });
    manager.add({
      name: 'noop',
      hasSynced: true,
      start: async () => {
        calls.push('start');
      },
      stop: async () => {
        calls.push('stop');
        return { drained: true, abandoned: [] };
      },
    });
    cleanups.push(() => manager.stop());
    await manager.start();
    await waitFor('the manager to lead', async () =>
      manager.isRunningControllers ? true : undefined,
    );
    const standby = elector('cut-off', 'standby');
    standby.instance.start();

    // Requests now hang rather than fail: only the elector's own deadline can end them.
    proxy.blackhole();
    const cutAt = Date.now();
    await waitFor('leadership to be lost', async () => (lostAt ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    // It kept leading while a renewal could still succeed, and gave up before the lease expired.
    expect(lostAt - cutAt).toBeGreaterThan(1_000);
    expect(lostAt - cutAt).toBeLessThan(2_000);
    expect(calls).toEqual(['start', 'stop']);
    expect(manager.isRunningControllers).toBe(false);
    await waitFor(
      'the standby to lead',
      async () => (standby.instance.isLeader ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    expect((await leaseSpec('cut-off')).holderIdentity).toBe('standby');
  });

  it('runs reconcilers only in the leading manager, and the standby takes over', async () => {
    const client = new ObjectClient<Widget>(env.kubeConfig, widgets);
    const managers = ['one', 'two'].map((id) => {
      const metrics = new RuntimeMetrics({ defaultMetrics: false });
      const manager = new Manager({
        kubeConfig: env.kubeConfig,
        logger: silent,
        metrics,
        metricsAddr: '127.0.0.1:0',
        healthAddr: '127.0.0.1:0',
        shutdownTimeoutMs: 2_000,
        leaderElection: {
          namespace: env.namespace,
          name: 'widget-controller-leader-election',
          identity: id,
          leaseDurationMs: 2_000,
          renewDeadlineMs: 1_500,
          retryPeriodMs: 100,
        },
      });
      manager.add(
        new Controller<Widget>({
          name: 'widget',
          resource: widgets,
          kubeConfig: env.kubeConfig,
          namespace: env.namespace,
          logger: silent,
          metrics,
          reconcile: async ({ key }) => {
            await client.patchStatus(key, () => ({ note: `reconciled by ${id}` }));
            return undefined;
          },
        }),
      );
      cleanups.push(() => manager.stop());
      return { id, manager };
    });
    for (const { manager } of managers) await manager.start();
    const leader = await waitFor('one manager to lead', async () =>
      managers.find((m) => m.manager.isRunningControllers),
    );
    const standby = managers.find((m) => m !== leader);
    if (!standby) throw new Error('no standby');

    await createWidget(env.kubeConfig, widgets, env.namespace, 'first');
    await waitFor('first reconciled', async () => {
      const w = await readWidget(env.kubeConfig, widgets, env.namespace, 'first');
      return w.status?.note ? w : undefined;
    }).then((w) => expect(w.status?.note).toBe(`reconciled by ${leader.id}`));
    expect(standby.manager.isRunningControllers).toBe(false);

    // Probes: both healthy and ready (the standby is ready to take over).
    for (const { manager } of managers) {
      const health = await fetch(
        `http://${manager.healthAddress?.replace(/^:/, '127.0.0.1:')}/readyz`,
      );
      expect(health.status).toBe(200);
    }
    const metricsText = await fetch(`http://${leader.manager.metricsAddress}/metrics`).then((r) =>
      r.text(),
    );
    expect(metricsText).toContain(
      'leader_election_master_status{name="widget-controller-leader-election"} 1',
    );
    expect(metricsText).toMatch(
      new RegExp(
        `gotk_reconcile_duration_seconds_count\\{kind="Widget",name="first",namespace="${env.namespace}"\\} 1`,
      ),
    );

    await leader.manager.stop();
    await waitFor('the standby to run the controllers', async () =>
      standby.manager.isRunningControllers ? true : undefined,
    );
    await createWidget(env.kubeConfig, widgets, env.namespace, 'second');
    const second = await waitFor('second reconciled', async () => {
      const w = await readWidget(env.kubeConfig, widgets, env.namespace, 'second');
      return w.status?.note ? w : undefined;
    });
    expect(second.status?.note).toBe(`reconciled by ${standby.id}`);
  });
});
