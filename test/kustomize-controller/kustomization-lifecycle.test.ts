import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kustomization } from '../../api/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  ArtifactFiles,
  ageKeygen,
  condition,
  createKustomization,
  deleteKustomization,
  eventsFor,
  hasFailed,
  installCrds,
  isAppliedAt,
  type PublishedArtifact,
  type RunningKustomizeController,
  readKustomization,
  requestReconcile,
  setArtifact,
  startKustomizeController,
  waitForKustomization,
} from './kustomize-env.ts';

let env: TestEnv;
let files: ArtifactFiles;
let controller: RunningKustomizeController;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ks-life' });
  await installCrds(env);
  files = await ArtifactFiles.start();
  controller = await startKustomizeController(env);
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await files?.stop();
  await env?.stop();
});

/** `${var}` as Flux's postBuild writes it, kept out of a JavaScript template. */
const variable = (name: string) => ['$', '{', name, '}'].join('');

const configMapYaml = (name: string, value = 'x') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

async function configMapValue(name: string): Promise<string | undefined> {
  return env.core.readNamespacedConfigMap({ name, namespace: env.namespace }).then(
    (cm) => cm.data?.value ?? '',
    () => undefined,
  );
}

/** A GitRepository `source` whose artifact holds `files` under `dir/`. */
async function publishTo(
  source: string,
  dir: string,
  content: Record<string, string>,
): Promise<PublishedArtifact> {
  const artifact = await files.publish(
    Object.fromEntries(Object.entries(content).map(([path, text]) => [`${dir}/${path}`, text])),
  );
  await setArtifact(env, source, artifact);
  return artifact;
}

describe('drift', () => {
  it('is corrected on the next reconcile', async () => {
    const artifact = await publishTo('drift-src', 'drift', {
      'cm.yaml': configMapYaml('drifty', 'desired'),
    });
    await createKustomization(env, 'drift', {
      path: './drift',
      sourceRef: { kind: 'GitRepository', name: 'drift-src' },
    });
    await waitForKustomization(env, 'drift', 'applied', isAppliedAt(artifact.revision));
    await env.core.patchNamespacedConfigMap({
      name: 'drifty',
      namespace: env.namespace,
      body: [{ op: 'replace', path: '/data/value', value: 'changed-by-hand' }],
    });
    expect(await configMapValue('drifty')).toBe('changed-by-hand');
    const at = await requestReconcile(env, 'drift');
    await waitForKustomization(
      env,
      'drift',
      'request handled',
      (ks) => ks.status?.lastHandledReconcileAt === at,
    );
    expect(await configMapValue('drifty')).toBe('desired');
    const events = await eventsFor(env, 'drift');
    expect(events.some((e) => e.message === `ConfigMap/${env.namespace}/drifty configured`)).toBe(
      true,
    );
  });
});

describe('dependsOn', () => {
  it('waits for the dependency to be Ready before applying', async () => {
    const artifact = await publishTo('deps-src', 'deps', {
      'a/cm.yaml': configMapYaml('dep-a'),
      'b/cm.yaml': configMapYaml('dep-b'),
    });
    await createKustomization(env, 'dep-b', {
      path: './deps/b',
      sourceRef: { kind: 'GitRepository', name: 'deps-src' },
      dependsOn: [{ name: 'dep-a' }],
    });
    const waiting = await waitForKustomization(
      env,
      'dep-b',
      'waiting',
      hasFailed('DependencyNotReady'),
    );
    expect(condition(waiting, 'Ready')?.message).toBe(
      `dependency '${env.namespace}/dep-a' not found: kustomizations.kustomize.toolkit.fluxcd.io "dep-a" not found`,
    );
    expect(await configMapValue('dep-b')).toBeUndefined();

    await createKustomization(env, 'dep-a', {
      path: './deps/a',
      sourceRef: { kind: 'GitRepository', name: 'deps-src' },
    });
    const b = await waitForKustomization(env, 'dep-b', 'applied', isAppliedAt(artifact.revision));
    const a = await readKustomization(env, 'dep-a');
    const readyAt = (ks: Kustomization | undefined) =>
      condition(ks, 'Ready')?.lastTransitionTime ?? '';
    expect(readyAt(a) <= readyAt(b)).toBe(true);
    expect(await configMapValue('dep-b')).toBe('x');
    const events = await eventsFor(env, 'dep-b');
    expect(
      events.some(
        (e) => e.message === 'Dependencies do not meet ready condition, retrying in 500ms',
      ),
    ).toBe(true);
  });
});

describe('impersonation', () => {
  it('reports a ServiceAccount denied by RBAC, then applies once it is allowed', async () => {
    const ns = env.namespace;
    await env.core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: 'deployer' } },
    });
    const artifact = await publishTo('sa-src', 'sa', { 'cm.yaml': configMapYaml('by-deployer') });
    await createKustomization(env, 'as-deployer', {
      path: './sa',
      prune: false,
      serviceAccountName: 'deployer',
      sourceRef: { kind: 'GitRepository', name: 'sa-src' },
    });
    const denied = await waitForKustomization(
      env,
      'as-deployer',
      'denied',
      hasFailed('ReconciliationFailed'),
    );
    const message = condition(denied, 'Ready')?.message ?? '';
    expect(message).toContain('Forbidden');
    expect(message).toContain(`system:serviceaccount:${ns}:deployer`);
    expect(await configMapValue('by-deployer')).toBeUndefined();

    const rbac = env.kubeConfig.makeApiClient(
      (await import('@kubernetes/client-node')).RbacAuthorizationV1Api,
    );
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'deployer' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
      },
    });
    await waitForKustomization(env, 'as-deployer', 'applied', isAppliedAt(artifact.revision));
    const cm = await env.core.readNamespacedConfigMap({ name: 'by-deployer', namespace: ns });
    expect(cm.metadata?.managedFields?.some((f) => f.manager === 'kustomize-controller')).toBe(
      true,
    );
  });
});

describe('prune', () => {
  it('reports PruneFailed and keeps what it could not delete in the inventory', async () => {
    const ns = env.namespace;
    await env.core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: 'no-delete' } },
    });
    const rbac = env.kubeConfig.makeApiClient(
      (await import('@kubernetes/client-node')).RbacAuthorizationV1Api,
    );
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'no-delete' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'no-delete' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'no-delete' },
        subjects: [{ kind: 'ServiceAccount', name: 'no-delete', namespace: ns }],
      },
    });
    const first = await publishTo('prune-src', 'prune', {
      'kustomization.yaml': 'resources:\n  - p1.yaml\n  - p2.yaml\n',
      'p1.yaml': configMapYaml('p1'),
      'p2.yaml': configMapYaml('p2'),
    });
    await createKustomization(env, 'prune-denied', {
      path: './prune',
      serviceAccountName: 'no-delete',
      sourceRef: { kind: 'GitRepository', name: 'prune-src' },
    });
    await waitForKustomization(env, 'prune-denied', 'applied', isAppliedAt(first.revision), 60_000);
    const second = await publishTo('prune-src', 'prune', {
      'kustomization.yaml': 'resources:\n  - p1.yaml\n',
      'p1.yaml': configMapYaml('p1', 'two'),
    });
    const failed = await waitForKustomization(
      env,
      'prune-denied',
      'prune failed',
      (ks) => hasFailed('PruneFailed')(ks) && ks.status?.lastAttemptedRevision === second.revision,
    );
    expect(condition(failed, 'Ready')?.message).toContain(`ConfigMap/${ns}/p2`);
    expect(failed.status?.lastAppliedRevision).toBe(first.revision);
    expect(failed.status?.inventory?.entries).toEqual([
      { id: `${ns}_p1__ConfigMap`, v: 'v1' },
      { id: `${ns}_p2__ConfigMap`, v: 'v1' },
    ]);
    expect(await configMapValue('p1')).toBe('two');
    expect(await configMapValue('p2')).toBe('x');
  });
});

describe('health checks', () => {
  it('reports Healthy with wait, and HealthCheckFailed naming a stalled object', async () => {
    const artifact = await publishTo('health-src', 'health', {
      'cm.yaml': configMapYaml('healthy'),
    });
    await createKustomization(env, 'waits', {
      path: './health',
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'health-src' },
    });
    const healthy = await waitForKustomization(
      env,
      'waits',
      'applied',
      isAppliedAt(artifact.revision),
    );
    expect(condition(healthy, 'Healthy')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(condition(healthy, 'Healthy')?.message).toMatch(/^Health check passed in /);

    // A Kustomization refused for its source kind is Stalled, which kstatus reads as Failed.
    await createKustomization(env, 'stalled', {
      path: './health',
      sourceRef: { kind: 'OCIRepository', name: 'nowhere' },
    });
    await waitForKustomization(
      env,
      'stalled',
      'stalled',
      (ks) => condition(ks, 'Stalled')?.status === 'True',
    );
    await createKustomization(env, 'checks', {
      path: './health',
      prune: false,
      timeout: '30s',
      sourceRef: { kind: 'GitRepository', name: 'health-src' },
      healthChecks: [
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          name: 'stalled',
          namespace: env.namespace,
        },
      ],
    });
    const failed = await waitForKustomization(
      env,
      'checks',
      'health failed',
      hasFailed('HealthCheckFailed'),
    );
    expect(condition(failed, 'Ready')?.message).toContain(`Kustomization/${env.namespace}/stalled`);
    expect(condition(failed, 'Healthy')).toMatchObject({
      status: 'False',
      reason: 'HealthCheckFailed',
    });
  });
});

describe('decryption keys and substitution', () => {
  it('warns about a decryption Secret entry that is not a key, naming it', async () => {
    const age = await ageKeygen();
    await env.core.createNamespacedSecret({
      namespace: env.namespace,
      body: {
        metadata: { name: 'keys-typo' },
        stringData: { 'age.agekey': age.keyFile, 'age.key': age.keyFile },
      },
    });
    const artifact = await publishTo('keys-src', 'keys', { 'cm.yaml': configMapYaml('keys-cm') });
    await createKustomization(env, 'keys', {
      path: './keys',
      sourceRef: { kind: 'GitRepository', name: 'keys-src' },
      decryption: { provider: 'sops', secretRef: { name: 'keys-typo' } },
    });
    await waitForKustomization(env, 'keys', 'applied', isAppliedAt(artifact.revision));
    const events = await eventsFor(env, 'keys');
    const warning = events.find((e) => e.type === 'Warning');
    expect(warning?.message).toContain(`entry 'age.key'`);
    expect(warning?.message).not.toContain('AGE-SECRET-KEY');
  });

  it('substitutes from ConfigMaps and Secrets, skipping an optional one that is missing', async () => {
    await env.core.createNamespacedConfigMap({
      namespace: env.namespace,
      body: { metadata: { name: 'vars' }, data: { region: 'eu-west-1', tier: 'from-configmap' } },
    });
    await env.core.createNamespacedSecret({
      namespace: env.namespace,
      body: { metadata: { name: 'secret-vars' }, stringData: { tier: 'from-secret' } },
    });
    const artifact = await publishTo('vars-src', 'vars', {
      'cm.yaml': configMapYaml(
        'substituted',
        [variable('region'), variable('tier'), variable('size:=small'), variable('inline')].join(
          '/',
        ),
      ),
    });
    await createKustomization(env, 'vars', {
      path: './vars',
      sourceRef: { kind: 'GitRepository', name: 'vars-src' },
      postBuild: {
        substitute: { inline: 'spec' },
        substituteFrom: [
          { kind: 'ConfigMap', name: 'vars' },
          { kind: 'Secret', name: 'secret-vars' },
          { kind: 'Secret', name: 'not-there', optional: true },
        ],
      },
    });
    await waitForKustomization(env, 'vars', 'applied', isAppliedAt(artifact.revision));
    expect(await configMapValue('substituted')).toBe('eu-west-1/from-secret/small/spec');
  });

  it('fails the build when a required substituteFrom object is missing', async () => {
    await publishTo('novars-src', 'novars', {
      'cm.yaml': configMapYaml('never-applied', variable('x')),
    });
    await createKustomization(env, 'novars', {
      path: './novars',
      sourceRef: { kind: 'GitRepository', name: 'novars-src' },
      postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'absent-vars' }] },
    });
    const failed = await waitForKustomization(env, 'novars', 'failed', hasFailed('BuildFailed'));
    expect(condition(failed, 'Ready')?.message).toBe(
      `substitute from 'ConfigMap/absent-vars' error: configmaps "absent-vars" not found`,
    );
    expect(await configMapValue('never-applied')).toBeUndefined();
  });
});

describe('kubeConfig.secretRef', () => {
  it('applies through the kubeconfig of a Secret, and reports a missing one', async () => {
    const artifact = await publishTo('remote-src', 'remote', {
      'cm.yaml': configMapYaml('remote-cm'),
    });
    await createKustomization(env, 'remote-missing', {
      path: './remote',
      sourceRef: { kind: 'GitRepository', name: 'remote-src' },
      kubeConfig: { secretRef: { name: 'no-kubeconfig' } },
    });
    const failed = await waitForKustomization(
      env,
      'remote-missing',
      'failed',
      hasFailed('ReconciliationFailed'),
    );
    expect(condition(failed, 'Ready')?.message).toBe(
      `cannot get kubeconfig Secret '${env.namespace}/no-kubeconfig': secrets "no-kubeconfig" not found`,
    );
    expect(await configMapValue('remote-cm')).toBeUndefined();

    // The "remote" cluster is the test apiserver itself, reached through the Secret's kubeconfig.
    await env.core.createNamespacedSecret({
      namespace: env.namespace,
      body: {
        metadata: { name: 'cluster-b' },
        stringData: { 'value.yaml': readFileSync(env.kubeconfigPath, 'utf8') },
      },
    });
    await createKustomization(env, 'remote', {
      path: './remote',
      sourceRef: { kind: 'GitRepository', name: 'remote-src' },
      kubeConfig: { secretRef: { name: 'cluster-b' } },
    });
    await waitForKustomization(env, 'remote', 'applied', isAppliedAt(artifact.revision));
    expect(await configMapValue('remote-cm')).toBe('x');
  });
});

describe('deletionPolicy WaitForTermination', () => {
  it('keeps the Kustomization until its objects are gone', async () => {
    const id = 'wait-gone';
    const artifact = await publishTo(`${id}-src`, id, { 'cm.yaml': configMapYaml(id) });
    await createKustomization(env, id, {
      path: `./${id}`,
      deletionPolicy: 'WaitForTermination',
      sourceRef: { kind: 'GitRepository', name: `${id}-src` },
    });
    await waitForKustomization(env, id, 'applied', isAppliedAt(artifact.revision));
    const hold = [{ op: 'add', path: '/metadata/finalizers', value: ['kustodian.test/hold'] }];
    await env.core.patchNamespacedConfigMap({ name: id, namespace: env.namespace, body: hold });
    await deleteKustomization(env, id);
    await waitFor('the ConfigMap to be terminating', async () => {
      const cm = await env.core.readNamespacedConfigMap({ name: id, namespace: env.namespace });
      return cm.metadata?.deletionTimestamp ? true : undefined;
    });
    // The ConfigMap cannot go while it holds our finalizer, so neither can the Kustomization.
    const held = await readKustomization(env, id);
    expect(held?.metadata.deletionTimestamp).toBeDefined();
    expect(held?.metadata.finalizers).toContain('finalizers.fluxcd.io');
    await env.core.patchNamespacedConfigMap({
      name: id,
      namespace: env.namespace,
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    await waitFor(`Kustomization ${id} to be gone`, async () =>
      (await readKustomization(env, id)) === undefined ? true : undefined,
    );
    expect(await configMapValue(id)).toBeUndefined();
  });
});

describe('deletionPolicy', () => {
  const rows = [
    { policy: 'MirrorPrune', prune: true, deleted: true },
    { policy: 'MirrorPrune', prune: false, deleted: false },
    { policy: 'Delete', prune: false, deleted: true },
    { policy: 'WaitForTermination', prune: false, deleted: true },
    { policy: 'Orphan', prune: true, deleted: false },
  ] as const;
  it.each(rows)('$policy with prune=$prune: objects deleted=$deleted', async (row) => {
    const id = `del-${row.policy.toLowerCase()}-${row.prune}`;
    const artifact = await publishTo(`${id}-src`, id, { 'cm.yaml': configMapYaml(id) });
    await createKustomization(env, id, {
      path: `./${id}`,
      prune: row.prune,
      deletionPolicy: row.policy,
      sourceRef: { kind: 'GitRepository', name: `${id}-src` },
    });
    await waitForKustomization(env, id, 'applied', isAppliedAt(artifact.revision));
    expect(await configMapValue(id)).toBe('x');
    await deleteKustomization(env, id);
    await waitFor(`Kustomization ${id} to be gone`, async () =>
      (await readKustomization(env, id)) === undefined ? true : undefined,
    );
    if (row.deleted) {
      await waitFor(`ConfigMap ${id} to be deleted`, async () =>
        (await configMapValue(id)) === undefined ? true : undefined,
      );
    } else {
      expect(await configMapValue(id)).toBe('x');
    }
  });
});
