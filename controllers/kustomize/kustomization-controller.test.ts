import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { DynamicClient, ObjectReference } from '../apply/index.ts';
import { healthTargets } from './health-step.ts';
import { dependencyWatch, sourceRevisionWatch } from './kustomization-controller.ts';
import type { KustomizationObject } from './kustomization-reconciler.ts';
import { loadVariables } from './substitute-from-step.ts';

function ks(
  namespace: string,
  name: string,
  spec: Partial<KustomizationObject['spec']> = {},
): KustomizationObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { namespace, name },
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...spec,
    },
  };
}

const all = [
  ks('apps', 'web'),
  ks('apps', 'db', { dependsOn: [{ name: 'web' }] }),
  ks('infra', 'net', {
    sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'apps' },
    dependsOn: [{ name: 'web', namespace: 'apps' }],
  }),
  ks('infra', 'other', { sourceRef: { kind: 'GitRepository', name: 'fleet' } }),
];
const keys = (list: readonly { key: string }[]) => list.map((k) => k.key);
const object = (namespace: string, name: string, status?: unknown): KubernetesObject =>
  ({ metadata: { namespace, name }, ...(status !== undefined && { status }) }) as KubernetesObject;

describe('sourceRevisionWatch', () => {
  const watch = sourceRevisionWatch(() => all);
  it.each([
    {
      name: 'queues every Kustomization reading the GitRepository, across namespaces',
      input: object('apps', 'fleet'),
      want: ['apps/web', 'apps/db', 'infra/net'],
    },
    {
      name: 'queues those of the other namespace for its own GitRepository',
      input: object('infra', 'fleet'),
      want: ['infra/other'],
    },
    {
      name: 'queues nothing for an unreferenced source',
      input: object('apps', 'unused'),
      want: [],
    },
  ])('$name', ({ input, want }) => {
    expect(keys(watch.map(input))).toEqual(want);
  });

  it('triggers on the artifact revision only', () => {
    const at = (revision: string) =>
      object('apps', 'fleet', { artifact: { revision }, conditions: [] });
    expect(watch.trigger?.(at('main@sha1:1'))).toBe('main@sha1:1');
    expect(watch.trigger?.(at('main@sha1:1'))).not.toBe(watch.trigger?.(at('main@sha1:2')));
  });
});

describe('dependencyWatch', () => {
  const watch = dependencyWatch(() => all);
  it('queues the Kustomizations that depend on the changed one', () => {
    expect(keys(watch.map(object('apps', 'web')))).toEqual(['apps/db', 'infra/net']);
    expect(keys(watch.map(object('apps', 'db')))).toEqual([]);
  });

  it('triggers when Ready or the applied revision changes', () => {
    const status = (ready: string, revision: string) =>
      object('apps', 'web', {
        conditions: [{ type: 'Ready', status: ready }],
        lastAppliedRevision: revision,
      });
    const base = watch.trigger?.(status('False', 'main@sha1:1'));
    expect(watch.trigger?.(status('True', 'main@sha1:1'))).not.toBe(base);
    expect(watch.trigger?.(status('False', 'main@sha1:2'))).not.toBe(base);
    expect(watch.trigger?.(status('False', 'main@sha1:1'))).toBe(base);
  });
});

describe('healthTargets', () => {
  const entry = (kind: string, name: string, action: 'created' | 'skipped') => ({
    objMetadata: { namespace: 'apps', name, group: '', kind },
    version: 'v1',
    subject: `${kind}/apps/${name}`,
    action,
  });
  const changeSet = [entry('ConfigMap', 'a', 'created'), entry('ConfigMap', 'b', 'skipped')];

  it.each([
    { name: 'nothing without wait or healthChecks', input: ks('apps', 'me'), want: [] },
    {
      name: 'every applied object but the skipped with wait',
      input: ks('apps', 'me', { wait: true }),
      want: ['ConfigMap/a'],
    },
    {
      name: 'healthChecks, leaving out the Kustomization itself',
      input: ks('apps', 'me', {
        healthChecks: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' },
          {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            name: 'me',
            namespace: 'apps',
          },
        ],
      }),
      want: ['Deployment/web'],
    },
  ])('$name', ({ input, want }) => {
    const targets = healthTargets(input, changeSet);
    expect(targets.map((t: ObjectReference) => `${t.kind}/${t.name}`)).toEqual(want);
  });
});

describe('loadVariables', () => {
  const objects: Record<string, Record<string, unknown>> = {
    'ConfigMap/vars': { data: { region: 'eu\n', tier: 'cm' } },
    'Secret/secret-vars': { data: { tier: Buffer.from('secret').toString('base64') } },
  };
  const client = {
    get: async (ref: ObjectReference) => objects[`${ref.kind}/${ref.name}`],
  } as unknown as DynamicClient;
  const signal = new AbortController().signal;

  it('merges substituteFrom in order, inline values last, newlines removed', async () => {
    const vars = await loadVariables(
      ks('apps', 'me', {
        postBuild: {
          substitute: { inline: 'yes' },
          substituteFrom: [
            { kind: 'ConfigMap', name: 'vars' },
            { kind: 'Secret', name: 'secret-vars' },
            { kind: 'Secret', name: 'absent', optional: true },
          ],
        },
      }),
      client,
      signal,
    );
    expect(vars).toEqual({ region: 'eu', tier: 'secret', inline: 'yes' });
  });

  it('refuses a missing object that is not optional, naming it', async () => {
    await expect(
      loadVariables(
        ks('apps', 'me', { postBuild: { substituteFrom: [{ kind: 'Secret', name: 'absent' }] } }),
        client,
        signal,
      ),
    ).rejects.toMatchObject({
      reason: 'BuildFailed',
      message: `substitute from 'Secret/absent' error: secrets "absent" not found`,
    });
  });
});
