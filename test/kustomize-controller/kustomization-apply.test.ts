import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { createInteropKeys } from '../sops/sops-fixtures.ts';
import {
  ArtifactFiles,
  ageKeygen,
  condition,
  createKustomization,
  directReconciler,
  eventsFor,
  installCrds,
  isAppliedAt,
  type RunningKustomizeController,
  readKustomization,
  requestReconcile,
  setArtifact,
  sopsEncrypt,
  sopsEncryptWith,
  startKustomizeController,
  waitForKustomization,
} from './kustomize-env.ts';

let env: TestEnv;
let files: ArtifactFiles;
let controller: RunningKustomizeController;
let age: { keyFile: string; recipient: string };

const plaintextPassword = 'correct-horse-battery-staple';

function secretYaml(name: string, password: string): string {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    'type: Opaque',
    'stringData:',
    `  password: ${password}`,
    '',
  ].join('\n');
}

function configMapYaml(name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;
}

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ks-apply' });
  await installCrds(env);
  files = await ArtifactFiles.start();
  age = await ageKeygen();
  await env.core.createNamespacedSecret({
    namespace: env.namespace,
    body: { metadata: { name: 'sops-age' }, stringData: { 'age.agekey': age.keyFile } },
  });
  controller = await startKustomizeController(env);
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await files?.stop();
  await env?.stop();
});

async function liveSecretPassword(name: string): Promise<string | undefined> {
  try {
    const secret = await env.core.readNamespacedSecret({ name, namespace: env.namespace });
    const value = secret.data?.password;
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
}

async function liveConfigMap(name: string): Promise<string | undefined> {
  try {
    const cm = await env.core.readNamespacedConfigMap({ name, namespace: env.namespace });
    return cm.data?.value;
  } catch {
    return undefined;
  }
}

describe('Kustomization reconcile through the runtime', () => {
  it('decrypts an age-encrypted Secret into the cluster, then updates and prunes on a new revision', async () => {
    const ns = env.namespace;
    const encrypted = await sopsEncrypt(secretYaml('db', plaintextPassword), age.recipient);
    expect(encrypted).not.toContain(plaintextPassword);
    const first = await files.publish({
      'apps/kustomization.yaml': 'resources:\n  - secret.yaml\n  - old.yaml\n  - keep.yaml\n',
      'apps/secret.yaml': encrypted,
      'apps/old.yaml': configMapYaml('old', 'one'),
      'apps/keep.yaml': configMapYaml('keep', 'one'),
    });
    await setArtifact(env, 'fleet', first);
    await createKustomization(env, 'apps', {
      path: './apps',
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
    });

    const ready = await waitForKustomization(env, 'apps', 'applied', isAppliedAt(first.revision));
    expect(condition(ready, 'Ready')).toMatchObject({
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: ${first.revision}`,
    });
    expect(condition(ready, 'Reconciling')).toBeUndefined();
    expect(ready.status?.lastAttemptedRevision).toBe(first.revision);
    expect(ready.metadata.finalizers).toContain('finalizers.fluxcd.io');
    expect(ready.status?.inventory?.entries).toEqual([
      { id: `${ns}_keep__ConfigMap`, v: 'v1' },
      { id: `${ns}_old__ConfigMap`, v: 'v1' },
      { id: `${ns}_db__Secret`, v: 'v1' },
    ]);
    expect(await liveSecretPassword('db')).toBe(plaintextPassword);
    const secret = await env.core.readNamespacedSecret({ name: 'db', namespace: ns });
    expect(secret.metadata?.labels).toMatchObject({
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': ns,
    });
    // No decrypted value in the status or in any event.
    expect(JSON.stringify(ready)).not.toContain(plaintextPassword);
    const events = await eventsFor(env, 'apps');
    expect(events.map((e) => e.message).join('\n')).toContain(`Secret/${ns}/db created`);
    expect(JSON.stringify(events)).not.toContain(plaintextPassword);

    const second = await files.publish({
      'apps/kustomization.yaml': 'resources:\n  - secret.yaml\n  - keep.yaml\n',
      'apps/secret.yaml': encrypted,
      'apps/keep.yaml': configMapYaml('keep', 'two'),
    });
    await setArtifact(env, 'fleet', second);
    const updated = await waitForKustomization(
      env,
      'apps',
      'new revision applied',
      isAppliedAt(second.revision),
    );
    expect(updated.status?.inventory?.entries).toEqual([
      { id: `${ns}_keep__ConfigMap`, v: 'v1' },
      { id: `${ns}_db__Secret`, v: 'v1' },
    ]);
    expect(await liveConfigMap('keep')).toBe('two');
    await waitFor('ConfigMap old to be pruned', async () =>
      (await liveConfigMap('old')) === undefined ? true : undefined,
    );
  });
});

describe('PGP', () => {
  it('decrypts a Secret encrypted for a PGP key given as *.asc', async () => {
    const keys = await createInteropKeys();
    try {
      const encrypted = await sopsEncryptWith(
        secretYaml('pgp-db', plaintextPassword),
        ['--pgp', keys.pgp.fingerprint],
        keys.env,
      );
      expect(encrypted).toContain('pgp:');
      await env.core.createNamespacedSecret({
        namespace: env.namespace,
        body: { metadata: { name: 'sops-gpg' }, stringData: { 'fleet.asc': keys.pgp.secret } },
      });
      const artifact = await files.publish({ 'pgp/secret.yaml': encrypted });
      await setArtifact(env, 'pgp-source', artifact);
      await createKustomization(env, 'pgp', {
        path: './pgp',
        sourceRef: { kind: 'GitRepository', name: 'pgp-source' },
        decryption: { provider: 'sops', secretRef: { name: 'sops-gpg' } },
      });
      await waitForKustomization(env, 'pgp', 'applied', isAppliedAt(artifact.revision));
      expect(await liveSecretPassword('pgp-db')).toBe(plaintextPassword);
    } finally {
      await keys.stop();
    }
  }, 120_000);
});

describe('a reconcile of an unchanged revision', () => {
  it('issues zero write requests and leaves the status untouched', async () => {
    // A namespace no controller watches: this test runs the reconciler itself.
    const quiet = await startTestEnv({ namespacePrefix: 'ks-noop' });
    try {
      const artifact = await files.publish({ 'noop/cm.yaml': configMapYaml('noop', 'same') });
      await setArtifact(quiet, 'fleet', artifact);
      await createKustomization(quiet, 'noop', { path: './noop' });
      const direct = directReconciler(quiet);
      await direct.reconcileOnce('noop'); // adds the finalizer, then applies
      const first = await readKustomization(quiet, 'noop');
      expect(first?.status).toMatchObject({ lastAppliedRevision: artifact.revision });
      expect(first && isAppliedAt(artifact.revision)(first)).toBe(true);
      expect(direct.counter.writes.length).toBeGreaterThan(0);

      expect(direct.statusWrites()).toBeGreaterThan(0);

      direct.counter.reset();
      const statusWritesBefore = direct.statusWrites();
      await direct.reconcileOnce('noop');
      expect(direct.counter.writes).toEqual([]);
      expect(direct.statusWrites()).toBe(statusWritesBefore);
      expect(direct.counter.dryRuns.length).toBeGreaterThan(0);
      const after = await readKustomization(quiet, 'noop');
      expect(after?.metadata.resourceVersion).toBe(first?.metadata.resourceVersion);

      // A reconcile request on it writes its status once, to record the request, and no object.
      const at = await requestReconcile(quiet, 'noop');
      direct.counter.reset();
      await direct.reconcileOnce('noop');
      expect(direct.counter.writes).toEqual([]);
      expect(direct.statusWrites()).toBe(statusWritesBefore + 1);
      const handled = await readKustomization(quiet, 'noop');
      expect(handled?.status).toMatchObject({ lastHandledReconcileAt: at });
      expect(handled?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'True',
        lastTransitionTime: first?.status?.conditions?.find((c) => c.type === 'Ready')
          ?.lastTransitionTime,
      });
    } finally {
      await quiet.stop();
    }
  });
});
