import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'rbac' });
});
afterAll(async () => {
  await env?.stop();
});

describe('RBAC and impersonation on the real apiserver', () => {
  it('denies an impersonated ServiceAccount until a Role allows it', async () => {
    const ns = env.namespace;
    await env.core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: 'deployer' } },
    });
    const user = `system:serviceaccount:${ns}:deployer`;
    const asDeployer = env.impersonate(user).makeApiClient(CoreV1Api);

    await expect(asDeployer.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({
      code: 403,
    });

    const rbac = env.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'read-secrets' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'deployer-reads-secrets' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-secrets' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
      },
    });
    const list = await asDeployer.listNamespacedSecret({ namespace: ns });
    expect(list.items).toEqual([]);
    // The Role grants list only: another verb stays denied.
    await expect(
      asDeployer.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'nope' } } }),
    ).rejects.toMatchObject({ code: 403 });
  });

  it('issues a ServiceAccount token through the TokenRequest API', async () => {
    const ns = env.namespace;
    await env.core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: 'token-holder' } },
    });
    const request = await env.core.createNamespacedServiceAccountToken({
      name: 'token-holder',
      namespace: ns,
      body: { spec: { audiences: ['kustodian-test'], expirationSeconds: 600 } },
    });
    const token = request.status?.token ?? '';
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    expect(payload.sub).toBe(`system:serviceaccount:${ns}:token-holder`);
    expect(payload.aud).toEqual(['kustodian-test']);
  });
});
