import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  Watch,
} from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Controller } from './controller.ts';
import { REQUESTED_AT_ANNOTATION } from './event-filter.ts';
import { RuntimeMetrics } from './metrics.ts';
import { type ObjectKey, objectKey, type ResourceType } from './resource.ts';

const widgets: ResourceType = {
  group: 'example.com',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
};
const sources: ResourceType = { ...widgets, plural: 'sources', kind: 'Source' };

type Emit = (phase: string, object: unknown) => void;

/** Each watch call of client-node's ListWatch lands here, per resource path. */
class FakeWatches {
  readonly emitters = new Map<string, Emit>();

  watch(): Watch {
    const watch = {
      watch: async (path: string, _params: unknown, emit: Emit) => {
        this.emitters.set(path.split('/').at(-1) ?? '', emit);
        return new AbortController();
      },
    };
    return watch as unknown as Watch;
  }

  emit(plural: string, phase: string, object: KubernetesObject): void {
    const emit = this.emitters.get(plural);
    if (!emit) throw new Error(`no watch on ${plural}`);
    emit(phase, object);
  }
}

interface TestObject extends KubernetesObject {
  spec?: { suspend?: boolean; sourceRef?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

let resourceVersion = 1;
function widget(name: string, generation: number, extra: Partial<TestObject> = {}): TestObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    ...extra,
    metadata: {
      name,
      namespace: 'ns',
      generation,
      resourceVersion: String(++resourceVersion),
      ...extra.metadata,
    },
  };
}

function setup(initial: TestObject[], initialSources: KubernetesObject[] = []) {
  const watches = new FakeWatches();
  const runs: string[] = [];
  const metrics = new RuntimeMetrics({ defaultMetrics: false });
  const controller: Controller<TestObject> = new Controller<TestObject>({
    name: 'widget',
    resource: widgets,
    kubeConfig: {} as KubeConfig,
    logger: pino({ level: 'silent' }),
    metrics,
    minRetryDelayMs: 5,
    watches: [
      {
        resource: sources,
        trigger: (source) =>
          String((source as { status?: { revision?: string } }).status?.revision ?? ''),
        map: (source): ObjectKey[] =>
          controller
            .list()
            .filter((w) => w.spec?.sourceRef === source.metadata?.name)
            .map((w) => objectKey(w.metadata?.namespace ?? '', w.metadata?.name ?? '')),
      },
    ],
    reconcile: async ({ key }) => {
      runs.push(key.name);
      if (key.name === 'broken') throw new Error('step failed');
      return undefined;
    },
    testHooks: {
      watch: () => watches.watch(),
      list: (resource) => async (): Promise<KubernetesListObject<KubernetesObject>> => ({
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '1' },
        items: resource === widgets ? initial : initialSources,
      }),
    },
  });
  return { controller, watches, runs, metrics };
}

const settle = () => vi.waitFor(() => Promise.resolve(), { timeout: 50 });

describe('Controller', () => {
  it('reconciles listed objects and then only spec changes, requests and deletions', async () => {
    const { controller, watches, runs } = setup([widget('a', 1)]);
    await controller.start();
    await vi.waitFor(() => expect(runs).toEqual(['a']));

    watches.emit('widgets', 'MODIFIED', widget('a', 1, { status: { conditions: [] } }));
    watches.emit('widgets', 'MODIFIED', widget('a', 1, { metadata: { labels: { x: 'y' } } }));
    await settle();
    expect(runs).toEqual(['a']);

    watches.emit('widgets', 'MODIFIED', widget('a', 2));
    await vi.waitFor(() => expect(runs).toEqual(['a', 'a']));
    watches.emit(
      'widgets',
      'MODIFIED',
      widget('a', 2, { metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: 'now' } } }),
    );
    await vi.waitFor(() => expect(runs).toEqual(['a', 'a', 'a']));
    watches.emit(
      'widgets',
      'MODIFIED',
      widget('a', 2, {
        metadata: {
          annotations: { [REQUESTED_AT_ANNOTATION]: 'now' },
          deletionTimestamp: new Date(0),
        },
      }),
    );
    await vi.waitFor(() => expect(runs).toHaveLength(4));
    await controller.stop(100);
  });

  it('forgets a deleted object: no retry, no metrics series', async () => {
    const { controller, watches, runs, metrics } = setup([
      widget('broken', 1, { status: { conditions: [{ type: 'Ready', status: 'False' }] } }),
    ]);
    await controller.start();
    await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(2));
    expect(await metrics.registry.metrics()).toContain('name="broken"');
    watches.emit('widgets', 'DELETED', widget('broken', 1));
    // Nothing left to run it again: not queued, not running, no retry timer.
    await vi.waitFor(() => expect(controller.queue.inFlight).toEqual([]));
    expect(controller.queue.delayedKeys).toEqual([]);
    expect(controller.queue.depth).toBe(0);
    expect(await metrics.registry.metrics()).not.toContain('name="broken"');
    await controller.stop(100);
  });

  it('skips suspended objects', async () => {
    const { controller, runs } = setup([
      widget('paused', 1, { spec: { suspend: true } }),
      widget('running', 1),
    ]);
    await controller.start();
    await vi.waitFor(() => expect(runs).toEqual(['running']));
    await controller.stop(100);
  });

  it('runs each object once at start, however the secondary watch lists', async () => {
    const repo = {
      apiVersion: 'example.com/v1',
      kind: 'Source',
      metadata: { name: 'repo', namespace: 'ns', resourceVersion: '5' },
      status: { revision: 'main@sha1:1' },
    };
    const { controller, runs } = setup(
      [widget('uses-repo', 1, { spec: { sourceRef: 'repo' } })],
      [repo],
    );
    await controller.start();
    await vi.waitFor(() => expect(runs).toEqual(['uses-repo']));
    await settle();
    expect(runs).toEqual(['uses-repo']);
    await controller.stop(100);
  });

  it('queues the objects a secondary watch maps a relevant change to', async () => {
    const { controller, watches, runs } = setup([
      widget('uses-repo', 1, { spec: { sourceRef: 'repo' } }),
      widget('other', 1, { spec: { sourceRef: 'elsewhere' } }),
    ]);
    await controller.start();
    await vi.waitFor(() => expect(runs.sort()).toEqual(['other', 'uses-repo']));
    const source = (resourceVersion: string, revision: string) => ({
      apiVersion: 'example.com/v1',
      kind: 'Source',
      metadata: { name: 'repo', namespace: 'ns', resourceVersion },
      status: { revision },
    });
    watches.emit('sources', 'MODIFIED', source('99', 'main@sha1:1'));
    await vi.waitFor(() => expect(runs.filter((r) => r === 'uses-repo')).toHaveLength(2));
    // Same revision, other fields changed: nothing to do.
    watches.emit('sources', 'MODIFIED', source('100', 'main@sha1:1'));
    await settle();
    expect(runs.filter((r) => r === 'uses-repo')).toHaveLength(2);
    watches.emit('sources', 'MODIFIED', source('101', 'main@sha1:2'));
    await vi.waitFor(() => expect(runs.filter((r) => r === 'uses-repo')).toHaveLength(3));
    expect(runs.filter((r) => r === 'other')).toHaveLength(1);
    expect(controller.hasSynced).toBe(true);
    await controller.stop(100);
  });
});
