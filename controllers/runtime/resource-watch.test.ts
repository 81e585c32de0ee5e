import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  Watch,
} from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { ResourceType } from './resource.ts';
import { ResourceWatch } from './resource-watch.ts';

const widgets: ResourceType = {
  group: 'example.com',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
};

function widget(name: string, resourceVersion: string): KubernetesObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name, namespace: 'ns', resourceVersion },
  };
}

type EventCallback = (phase: string, object: unknown) => void;
type DoneCallback = (error: unknown) => void;

/** Stands in for client-node's Watch: records each watch call and lets the test drive it. */
class FakeWatch {
  readonly calls: { params: Record<string, unknown>; emit: EventCallback; done: DoneCallback }[] =
    [];

  async watch(
    _path: string,
    params: Record<string, unknown>,
    emit: EventCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    this.calls.push({ params, emit, done });
    return new AbortController();
  }

  get last() {
    const call = this.calls.at(-1);
    if (!call) throw new Error('no watch call yet');
    return call;
  }
}

function setup(lists: (() => Promise<KubernetesListObject<KubernetesObject>>)[]) {
  const fake = new FakeWatch();
  const seen: string[] = [];
  let listCalls = 0;
  const watch = new ResourceWatch<KubernetesObject>({
    kubeConfig: {} as KubeConfig,
    resource: widgets,
    logger: pino({ level: 'silent' }),
    watch: fake as unknown as Watch,
    minRestartDelayMs: 2,
    maxRestartDelayMs: 8,
    list: () => {
      const next = lists[Math.min(listCalls, lists.length - 1)];
      listCalls++;
      if (!next) throw new Error('no list');
      return next();
    },
    handler: {
      upsert: (o) => seen.push(`upsert ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
      remove: (o) => seen.push(`remove ${o.metadata?.name}`),
    },
  });
  return { fake, seen, watch, listCalls: () => listCalls };
}

function list(resourceVersion: string, items: KubernetesObject[]) {
  return async (): Promise<KubernetesListObject<KubernetesObject>> => ({
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion },
    items,
  });
}

describe('ResourceWatch', () => {
  it('lists, then watches from the list resourceVersion', async () => {
    const { fake, seen, watch } = setup([list('10', [widget('a', '5'), widget('b', '6')])]);
    await watch.start();
    expect(watch.hasSynced).toBe(true);
    expect(seen).toEqual(['upsert a@5', 'upsert b@6']);
    expect(fake.last.params.resourceVersion).toBe('10');
    fake.last.emit('MODIFIED', widget('a', '11'));
    expect(seen.at(-1)).toBe('upsert a@11');
    expect(watch.get('ns', 'a')?.metadata?.resourceVersion).toBe('11');
    await watch.stop();
  });

  it('relists after 410 Gone and reports objects that vanished meanwhile', async () => {
    const { fake, seen, watch, listCalls } = setup([
      list('10', [widget('a', '5'), widget('b', '6')]),
      list('50', [widget('a', '40'), widget('c', '45')]),
    ]);
    await watch.start();
    fake.last.emit('ERROR', { code: 410, reason: 'Expired' });
    fake.last.done(null);
    await vi.waitFor(() => expect(fake.calls).toHaveLength(2), { timeout: 1_000, interval: 2 });
    expect(listCalls()).toBe(2);
    expect(seen.slice(2)).toEqual(['remove b', 'upsert a@40', 'upsert c@45']);
    expect(fake.last.params.resourceVersion).toBe('50');
    await watch.stop();
  });

  it('restarts a watch that failed, from the last resourceVersion and without a relist', async () => {
    const { fake, watch, listCalls } = setup([list('10', [widget('a', '5')])]);
    await watch.start();
    fake.last.emit('MODIFIED', widget('a', '12'));
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    fake.last.done(reset);
    await vi.waitFor(() => expect(fake.calls).toHaveLength(2), { timeout: 1_000, interval: 2 });
    expect(watch.restarts).toBe(1);
    expect(listCalls()).toBe(1);
    expect(fake.last.params.resourceVersion).toBe('12');
    await watch.stop();
  });

  it('keeps retrying a failing list with growing delays until it succeeds', async () => {
    const refused = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    const { fake, seen, watch, listCalls } = setup([
      refused,
      refused,
      refused,
      list('7', [widget('a', '3')]),
    ]);
    await watch.start();
    expect(watch.hasSynced).toBe(false);
    await vi.waitFor(() => expect(watch.hasSynced).toBe(true), { timeout: 1_000, interval: 2 });
    expect(listCalls()).toBe(4);
    expect(watch.restarts).toBe(3);
    expect(seen).toEqual(['upsert a@3']);
    expect(fake.calls).toHaveLength(1);
    await watch.stop();
  });

  it('does not restart after stop', async () => {
    const { fake, watch } = setup([list('10', [])]);
    await watch.start();
    await watch.stop();
    fake.last.done(new Error('aborted'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.calls).toHaveLength(1);
    expect(watch.restarts).toBe(0);
  });
});
