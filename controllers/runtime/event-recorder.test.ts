import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EventRecorder, type EventSink } from './event-recorder.ts';

class MemorySink implements EventSink {
  readonly events: CoreV1Event[] = [];
  expired = false;

  async create(event: CoreV1Event): Promise<void> {
    this.events.push(structuredClone(event));
  }

  async update(namespace: string, name: string, patch: Partial<CoreV1Event>): Promise<boolean> {
    if (this.expired) return false;
    const event = this.events.find(
      (e) => e.metadata.namespace === namespace && e.metadata.name === name,
    );
    if (!event) return false;
    Object.assign(event, patch);
    return true;
  }
}

const repo: KubernetesObject = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'fleet', namespace: 'flux-system', uid: 'u-1', resourceVersion: '9' },
};

function recorder(sink: EventSink, clock: { now: number }, burst = 25) {
  return new EventRecorder({
    component: 'source-controller',
    sink,
    logger: pino({ level: 'silent' }),
    host: 'node-1',
    burst,
    now: () => clock.now,
  });
}

describe('EventRecorder', () => {
  it('writes an Event naming the involved object, reason, type and component', async () => {
    const sink = new MemorySink();
    await recorder(sink, { now: 1_000 }).event(repo, 'Normal', 'NewArtifact', 'stored artifact', {
      'source.toolkit.fluxcd.io/revision': 'main@sha1:abc',
    });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      metadata: {
        namespace: 'flux-system',
        annotations: { 'source.toolkit.fluxcd.io/revision': 'main@sha1:abc' },
      },
      involvedObject: {
        kind: 'GitRepository',
        name: 'fleet',
        namespace: 'flux-system',
        uid: 'u-1',
      },
      type: 'Normal',
      reason: 'NewArtifact',
      message: 'stored artifact',
      source: { component: 'source-controller', host: 'node-1' },
      count: 1,
    });
    expect(sink.events[0]?.metadata.name).toMatch(/^fleet\.[0-9a-f]+$/);
  });

  it('counts a repeated identical event on the first one instead of writing another', async () => {
    const sink = new MemorySink();
    const clock = { now: 1_000 };
    const events = recorder(sink, clock);
    await events.event(repo, 'Warning', 'GitOperationFailed', 'auth failed');
    clock.now = 5_000;
    await events.event(repo, 'Warning', 'GitOperationFailed', 'auth failed');
    await events.event(repo, 'Warning', 'GitOperationFailed', 'auth failed');
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]?.count).toBe(3);
    expect(sink.events[0]?.lastTimestamp).toEqual(new Date(5_000));
  });

  it('writes a new event when the counted one has expired', async () => {
    const sink = new MemorySink();
    const events = recorder(sink, { now: 1_000 });
    await events.event(repo, 'Warning', 'GitOperationFailed', 'auth failed');
    sink.expired = true;
    await events.event(repo, 'Warning', 'GitOperationFailed', 'auth failed');
    expect(sink.events).toHaveLength(2);
  });

  it('combines more than ten similar events with different messages', async () => {
    const sink = new MemorySink();
    const events = recorder(sink, { now: 1_000 });
    for (let i = 0; i < 13; i++) {
      await events.event(repo, 'Warning', 'BuildFailed', `error ${i}`);
    }
    const combined = sink.events.filter((e) =>
      e.message?.startsWith('(combined from similar events)'),
    );
    expect(sink.events).toHaveLength(11);
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({
      count: 3,
      message: '(combined from similar events): error 12',
    });
  });

  it('drops events past the burst and lets them through again after a refill', async () => {
    const sink = new MemorySink();
    const clock = { now: 0 };
    const events = recorder(sink, clock, 3);
    for (let i = 0; i < 5; i++) await events.event(repo, 'Normal', 'Progressing', `step ${i}`);
    expect(sink.events.map((e) => e.message)).toEqual(['step 0', 'step 1', 'step 2']);
    clock.now = 300_000;
    await events.event(repo, 'Normal', 'Progressing', 'step 5');
    await events.event(repo, 'Normal', 'Progressing', 'step 6');
    expect(sink.events.map((e) => e.message).slice(3)).toEqual(['step 5']);
  });

  it('never throws when the apiserver refuses the event', async () => {
    const failing: EventSink = {
      create: async () => {
        throw new Error('forbidden');
      },
      update: async () => false,
    };
    await expect(
      recorder(failing, { now: 0 }).event(repo, 'Normal', 'NewArtifact', 'x'),
    ).resolves.toBeUndefined();
  });
});
