import type { DynamicClient } from '../../controllers/apply/index.ts';

export interface ReadyState {
  status: string;
  reason: string;
  message: string;
  revision?: string;
}

type Watched = { kind: 'GitRepository' | 'Kustomization'; name: string; namespace: string };

const API_VERSION = {
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
} as const;

/** The Ready condition of a Flux object, and the revision it reports. */
export async function readReady(
  client: DynamicClient,
  object: Watched,
): Promise<ReadyState | undefined> {
  const live = await client.get({ apiVersion: API_VERSION[object.kind], ...object });
  const status = (live?.status ?? {}) as {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
  };
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return undefined;
  const revision = status.artifact?.revision ?? status.lastAppliedRevision;
  return {
    status: ready.status,
    reason: ready.reason,
    message: ready.message,
    ...(revision ? { revision } : {}),
  };
}

/**
 * Prints each change of the objects' Ready conditions (messages are the controllers' own,
 * which never carry secret values) until `done` says so or the signal aborts.
 */
export async function followReady(
  client: DynamicClient,
  objects: readonly Watched[],
  done: (states: ReadonlyMap<string, ReadyState>) => boolean,
  options: { signal: AbortSignal; timeoutMs: number; print: (line: string) => void },
): Promise<ReadonlyMap<string, ReadyState>> {
  const last = new Map<string, string>();
  const states = new Map<string, ReadyState>();
  const deadline = Date.now() + options.timeoutMs;
  while (!options.signal.aborted) {
    for (const object of objects) {
      const key = `${object.kind}/${object.namespace}/${object.name}`;
      const state = await readReady(client, object).catch(() => undefined);
      if (!state) continue;
      states.set(key, state);
      const line = `${key}: Ready=${state.status} ${state.reason}: ${state.message}`;
      if (last.get(key) !== line) {
        last.set(key, line);
        options.print(line);
      }
    }
    if (done(states)) return states;
    if (Date.now() > deadline) {
      throw new Error(`the demo did not become Ready within ${options.timeoutMs / 1000}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return states;
}
