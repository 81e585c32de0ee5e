import { describe, expect, it } from 'vitest';
import type { Kustomization } from '../../api/index.ts';
import type { DynamicClient, ObjectReference } from '../apply/index.ts';
import { RemoteClusters } from './remote-cluster-step.ts';

const token = 'never-in-a-message-token';

function kubeconfig(user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'b', cluster: { server: 'https://cluster-b.example:6443' } }],
    users: [{ name: 'b', user }],
    contexts: [{ name: 'b', context: { cluster: 'b', user: 'b' } }],
    'current-context': 'b',
  });
}

const secrets: Record<string, Record<string, unknown>> = {
  good: {
    metadata: { resourceVersion: '1' },
    data: { value: Buffer.from(kubeconfig({ token })).toString('base64') },
  },
  exec: {
    metadata: { resourceVersion: '1' },
    data: {
      'value.yaml': Buffer.from(
        kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'steal' } }),
      ).toString('base64'),
    },
  },
  garbage: {
    metadata: { resourceVersion: '1' },
    data: { value: Buffer.from(`{"token": "${token}"`).toString('base64') },
  },
  empty: { metadata: { resourceVersion: '1' }, data: { other: 'eA==' } },
};
const reader = {
  get: async (ref: ObjectReference) => secrets[ref.name],
} as unknown as DynamicClient;
const signal = new AbortController().signal;

function ks(kubeConfig?: Kustomization['spec']['kubeConfig']): Kustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'tenant' },
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...(kubeConfig && { kubeConfig }),
    },
  };
}

describe('RemoteClusters', () => {
  it('is not used without spec.kubeConfig', async () => {
    expect(await new RemoteClusters().factoryFor(ks(), reader, signal)).toBeUndefined();
  });

  it('builds one factory per Secret version', async () => {
    const clusters = new RemoteClusters();
    const first = await clusters.factoryFor(ks({ secretRef: { name: 'good' } }), reader, signal);
    const again = await clusters.factoryFor(ks({ secretRef: { name: 'good' } }), reader, signal);
    expect(first).toBeDefined();
    expect(again).toBe(first);
  });

  it.each([
    {
      name: 'a missing Secret is named',
      input: { secretRef: { name: 'absent' } },
      want: {
        reason: 'ReconciliationFailed',
        retryable: true,
        message: `cannot get kubeconfig Secret 'tenant/absent': secrets "absent" not found`,
      },
    },
    {
      name: 'a Secret without the key names the keys it looked for',
      input: { secretRef: { name: 'empty' } },
      want: {
        reason: 'ReconciliationFailed',
        retryable: true,
        message: `kubeconfig Secret 'tenant/empty' has no key 'value' or 'value.yaml' holding a kubeconfig`,
      },
    },
    {
      name: 'exec credentials are refused',
      input: { secretRef: { name: 'exec' } },
      want: {
        reason: 'ReconciliationFailed',
        retryable: true,
        message: `kubeconfig Secret 'tenant/exec' key 'value.yaml': exec and auth-provider credentials are not allowed; use a token or client certificate`,
      },
    },
    {
      name: 'an unparsable kubeconfig is refused without quoting it',
      input: { secretRef: { name: 'garbage' } },
      want: {
        reason: 'ReconciliationFailed',
        retryable: true,
        message: `kubeconfig Secret 'tenant/garbage' key 'value' is not a valid kubeconfig`,
      },
    },
    {
      name: 'configMapRef is refused rather than applying locally',
      input: { configMapRef: { name: 'aks' } },
      want: {
        reason: 'ReconciliationFailed',
        retryable: false,
        message:
          'spec.kubeConfig.configMapRef (cloud workload identity) is not supported by kustodian; use spec.kubeConfig.secretRef',
      },
    },
  ])('$name', async ({ input, want }) => {
    const error = await new RemoteClusters().factoryFor(ks(input), reader, signal).then(
      () => undefined,
      (e: unknown) => e as { reason: string; retryable: boolean; message: string },
    );
    expect(error).toMatchObject(want);
    expect(error?.message).not.toContain(token);
  });
});
