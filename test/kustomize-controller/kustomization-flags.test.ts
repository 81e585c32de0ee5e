import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import {
  ArtifactFiles,
  condition,
  createKustomization,
  eventsFor,
  hasFailed,
  installCrds,
  type RunningKustomizeController,
  setArtifact,
  startKustomizeController,
  waitForKustomization,
} from './kustomize-env.ts';

let env: TestEnv;
let files: ArtifactFiles;
let controller: RunningKustomizeController;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ks-flags' });
  await installCrds(env);
  files = await ArtifactFiles.start();
  controller = await startKustomizeController(env, {
    noCrossNamespaceRefs: true,
    defaultServiceAccount: 'tenant',
  });
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await files?.stop();
  await env?.stop();
});

const configMapYaml = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "x"\n`;

describe('multi-tenancy flags', () => {
  it('--no-cross-namespace-refs stalls a Kustomization whose source is in another namespace', async () => {
    await createKustomization(env, 'cross', {
      path: './',
      sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'flux-system' },
    });
    const refused = await waitForKustomization(env, 'cross', 'refused', hasFailed('AccessDenied'));
    const message =
      "can't access 'GitRepository/flux-system/fleet', cross-namespace references have been blocked";
    expect(condition(refused, 'Ready')?.message).toBe(message);
    expect(condition(refused, 'Stalled')).toMatchObject({ status: 'True', reason: 'AccessDenied' });
    const events = await eventsFor(env, 'cross');
    expect(events.some((e) => e.type === 'Warning' && e.message === message)).toBe(true);
  });

  it('--default-service-account is impersonated when the Kustomization names none', async () => {
    const artifact = await files.publish({ 'tenant/cm.yaml': configMapYaml('tenant-cm') });
    await setArtifact(env, 'fleet', artifact);
    await createKustomization(env, 'tenant', { path: './tenant' });
    const denied = await waitForKustomization(
      env,
      'tenant',
      'denied',
      hasFailed('ReconciliationFailed'),
    );
    expect(condition(denied, 'Ready')?.message).toContain(
      `system:serviceaccount:${env.namespace}:tenant`,
    );
    const read = env.core.readNamespacedConfigMap({ name: 'tenant-cm', namespace: env.namespace });
    await expect(read).rejects.toThrow();
  });
});
