import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStaged } from '../../controllers/apply/index.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  type ApplyEnv,
  actions,
  applyError,
  fastWait as fast,
  startApplyEnv,
} from './apply-env.ts';
import { configMap, type Manifest, serviceAccount } from './fixtures.ts';

let t: ApplyEnv;
beforeAll(async () => {
  t = await startApplyEnv('impersonate');
});
afterAll(async () => {
  await t?.stop();
});

describe('apply as an impersonated ServiceAccount', () => {
  it('reports an impersonated ServiceAccount denied by RBAC and applies once it is allowed', async () => {
    const ns = t.env.namespace;
    const admin = t.factory.controllerClient();
    await applyStaged(admin, [serviceAccount(ns, 'deployer')], fast);
    const asDeployer = t.factory.serviceAccountClient(ns, 'deployer');
    const set = [configMap(ns, 'by-deployer', { a: 'b' })];

    const denied = await applyError(applyStaged(asDeployer, set, { owner: t.owner, ...fast }));
    expect(denied.code).toBe('DryRunFailed');
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toContain(`ConfigMap/${ns}/by-deployer dry-run failed (Forbidden)`);
    expect(denied.message).toContain(`system:serviceaccount:${ns}:deployer`);
    expect(await t.live(set[0] as Manifest)).toBeUndefined();

    await applyStaged(
      admin,
      [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'deployer', namespace: ns },
          rules: [
            { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'deployer', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
          subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
        },
      ],
      fast,
    );
    // Server-side apply of a new object needs create as well as patch. RBAC reaches the
    // authorizer through an informer, so the grant may take a moment to apply.
    const allowed = await waitFor('the Role to take effect', () =>
      applyStaged(asDeployer, set, { owner: t.owner, ...fast }),
    );
    expect(actions(allowed)).toEqual({ [`ConfigMap/${ns}/by-deployer`]: 'created' });
  });
});
