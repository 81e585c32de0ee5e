import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Manager, type RunnableController } from './manager.ts';
import { RuntimeMetrics } from './metrics.ts';

class FakeController implements RunnableController {
  hasSynced = false;
  readonly calls: string[];
  readonly name: string;

  constructor(name: string, calls: string[]) {
    this.name = name;
    this.calls = calls;
  }

  async start(): Promise<void> {
    this.calls.push(`start ${this.name}`);
  }

  async stop(timeoutMs: number) {
    this.calls.push(`stop ${this.name} within ${timeoutMs}`);
    return { drained: true, abandoned: [] };
  }
}

function manager() {
  return new Manager({
    kubeConfig: new KubeConfig(),
    logger: pino({ level: 'silent' }),
    metrics: new RuntimeMetrics({ defaultMetrics: false }),
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
    shutdownTimeoutMs: 1_234,
  });
}

describe('Manager without leader election', () => {
  it('runs every controller, is ready once they synced, and stops them with the timeout', async () => {
    const calls: string[] = [];
    const instance = manager();
    const source = new FakeController('source', calls);
    const kustomize = new FakeController('kustomize', calls);
    instance.add(source);
    instance.add(kustomize);
    await instance.start();
    expect(calls).toEqual(['start source', 'start kustomize']);
    expect(instance.isRunningControllers).toBe(true);

    const readyz = () => fetch(`http://${instance.healthAddress}/readyz`).then((r) => r.status);
    expect(await readyz()).toBe(500);
    source.hasSynced = true;
    kustomize.hasSynced = true;
    expect(await readyz()).toBe(200);
    const metrics = await fetch(`http://${instance.metricsAddress}/metrics`).then((r) => r.text());
    expect(metrics).toContain('# TYPE gotk_reconcile_duration_seconds histogram');

    await instance.stop();
    expect(calls.slice(2)).toEqual(['stop source within 1234', 'stop kustomize within 1234']);
    expect(instance.isHealthy()).toBe(false);
    await expect(fetch(`http://${instance.healthAddress}/healthz`)).rejects.toThrow();
  });

  it('refuses two controllers of one name and late additions', async () => {
    const calls: string[] = [];
    const instance = manager();
    instance.add(new FakeController('source', calls));
    expect(() => instance.add(new FakeController('source', calls))).toThrow(/registered twice/);
    await instance.start();
    expect(() => instance.add(new FakeController('kustomize', calls))).toThrow(/already started/);
    await instance.stop();
  });
});
