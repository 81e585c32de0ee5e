import {
  type ApplyError,
  type ChangeSetEntry,
  isApplyError,
  KubeClientFactory,
  type KubeObject,
  type Owner,
  RequestCounter,
  referenceOf,
  toKubeObject,
} from '../../controllers/apply/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import type { Manifest } from './fixtures.ts';

/** A test namespace plus an apply client factory whose requests are counted. */
export interface ApplyEnv {
  readonly env: TestEnv;
  readonly counter: RequestCounter;
  readonly factory: KubeClientFactory;
  /** The Kustomization the tests apply as. */
  readonly owner: Owner;
  /** The live object for a manifest, or undefined. */
  live(manifest: Manifest): Promise<KubeObject | undefined>;
  /** Deletes extra cluster objects the test created, then the namespace. */
  stop(extra?: readonly { apiVersion: string; kind: string; name: string }[]): Promise<void>;
}

export async function startApplyEnv(namespacePrefix: string): Promise<ApplyEnv> {
  const env = await startTestEnv({ namespacePrefix });
  const counter = new RequestCounter();
  const factory = new KubeClientFactory(env.kubeConfig, { observer: counter.observe });
  return {
    env,
    counter,
    factory,
    owner: { name: 'apps', namespace: env.namespace },
    live: (manifest) =>
      factory.controllerClient().get(referenceOf(toKubeObject(manifest, 'test object'))),
    async stop(extra = []) {
      for (const ref of extra) {
        await factory
          .controllerClient()
          .delete(ref, { propagationPolicy: 'Background' })
          .catch(() => undefined);
      }
      await env.stop();
    },
  };
}

/** Waits between stages fast enough for tests. */
export const fastWait = { waitIntervalMs: 200, waitTimeoutMs: 20_000 };

/** `{ subject: action }` of a change set. */
export function actions(entries: readonly ChangeSetEntry[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.subject, e.action]));
}

/** The ApplyError a promise rejects with; fails the test if it resolves or throws another. */
export async function applyError(promise: Promise<unknown>): Promise<ApplyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isApplyError(error)) throw new Error(`expected an ApplyError, got ${String(error)}`);
  return error;
}
