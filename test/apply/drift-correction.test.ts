import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStaged, referenceOf, toKubeObject } from '../../controllers/apply/index.ts';
import {
  type ApplyEnv,
  actions,
  applyError,
  fastWait as fast,
  startApplyEnv,
} from './apply-env.ts';
import { configMap, secret } from './fixtures.ts';

let t: ApplyEnv;
beforeAll(async () => {
  t = await startApplyEnv('drift');
});
afterAll(async () => {
  await t?.stop();
});

describe('drift correction and secrecy', () => {
  it('corrects drift made with kubectl: edited and added fields go back to the manifest', async () => {
    const ns = t.env.namespace;
    const client = t.factory.controllerClient();
    const manifest = configMap(ns, 'drifted', { color: 'blue' });
    await applyStaged(client, [manifest], { owner: t.owner, ...fast });
    // What `kubectl edit` sends: an Update by a kubectl manager.
    const path = await client.pathOf(referenceOf(toKubeObject(manifest, 'x')));
    await client.transport({
      method: 'PATCH',
      path,
      query: { fieldManager: 'kubectl-edit' },
      body: { data: { color: 'red', extra: 'added by hand' } },
      contentType: 'application/merge-patch+json',
    });

    const corrected = await applyStaged(client, [manifest], { owner: t.owner, ...fast });
    expect(actions(corrected)).toEqual({ [`ConfigMap/${ns}/drifted`]: 'configured' });
    const after = await t.live(manifest);
    expect(after?.data).toEqual({ color: 'blue' });
    const managers = ((after?.metadata.managedFields ?? []) as { manager: string }[]).map(
      (m) => m.manager,
    );
    expect(managers).toEqual(['kustomize-controller']);

    t.counter.reset();
    const settled = await applyStaged(client, [manifest], { owner: t.owner, ...fast });
    expect(actions(settled)).toEqual({ [`ConfigMap/${ns}/drifted`]: 'unchanged' });
    expect(t.counter.writes).toEqual([]);
  });
  it('never puts a Secret value in an error', async () => {
    const ns = t.env.namespace;
    const sealed = (token: string) => ({
      ...secret(ns, 'sealed', { token }),
      immutable: true,
    });
    const client = t.factory.controllerClient();
    await applyStaged(client, [sealed('first-plaintext-value')], { owner: t.owner, ...fast });
    const error = await applyError(
      applyStaged(client, [sealed('second-plaintext-value')], { owner: t.owner, ...fast }),
    );
    expect(error.message).toContain(`Secret/${ns}/sealed dry-run failed (Invalid)`);
    for (const value of ['first-plaintext-value', 'second-plaintext-value']) {
      expect(error.message).not.toContain(value);
      expect(error.message).not.toContain(Buffer.from(value).toString('base64'));
    }
  });
});
