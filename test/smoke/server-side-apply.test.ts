import { PatchStrategy, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ssa' });
});
afterAll(async () => {
  await env?.stop();
});

describe('server-side apply on the real apiserver', () => {
  it('records the field manager in managedFields and merges a second manager', async () => {
    const configMap: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: env.namespace },
      data: { color: 'blue' },
    };
    await env.objects.patch(
      configMap,
      undefined,
      undefined,
      'kustodian-smoke',
      true,
      PatchStrategy.ServerSideApply,
    );
    await env.objects.patch(
      { ...configMap, data: { size: 'large' } },
      undefined,
      undefined,
      'another-manager',
      true,
      PatchStrategy.ServerSideApply,
    );

    const read = await env.core.readNamespacedConfigMap({
      name: 'settings',
      namespace: env.namespace,
    });
    expect(read.data).toEqual({ color: 'blue', size: 'large' });
    const managers = (read.metadata?.managedFields ?? []).map((entry) => ({
      manager: entry.manager,
      operation: entry.operation,
    }));
    expect(managers).toContainEqual({ manager: 'kustodian-smoke', operation: 'Apply' });
    expect(managers).toContainEqual({ manager: 'another-manager', operation: 'Apply' });
  });

  it('refuses a conflicting apply without force', async () => {
    const configMap: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'contested', namespace: env.namespace },
      data: { owner: 'first' },
    };
    await env.objects.patch(
      configMap,
      undefined,
      undefined,
      'first',
      true,
      PatchStrategy.ServerSideApply,
    );
    const conflicting = { ...configMap, data: { owner: 'second' } };
    await expect(
      env.objects.patch(
        conflicting,
        undefined,
        undefined,
        'second',
        false,
        PatchStrategy.ServerSideApply,
      ),
    ).rejects.toMatchObject({ code: 409 });
  });
});
