import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import {
  ArtifactFiles,
  ageKeygen,
  condition,
  createKustomization,
  eventsFor,
  hasFailed,
  installCrds,
  isAppliedAt,
  patchKustomization,
  type RunningKustomizeController,
  setArtifact,
  sopsEncrypt,
  startKustomizeController,
  waitForKustomization,
} from './kustomize-env.ts';

let env: TestEnv;
let files: ArtifactFiles;
let controller: RunningKustomizeController;
let age: { keyFile: string; recipient: string };
let otherAge: { keyFile: string; recipient: string };

const password = 'never-shown-s3cret-value';

const secretYaml = (name: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${password}\n`;
const configMapYaml = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "x"\n`;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ks-fail' });
  await installCrds(env);
  files = await ArtifactFiles.start();
  [age, otherAge] = await Promise.all([ageKeygen(), ageKeygen()]);
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

async function exists(kind: 'ConfigMap' | 'Secret', name: string): Promise<boolean> {
  const read =
    kind === 'ConfigMap'
      ? env.core.readNamespacedConfigMap({ name, namespace: env.namespace })
      : env.core.readNamespacedSecret({ name, namespace: env.namespace });
  return read.then(
    () => true,
    () => false,
  );
}

interface FailureCase {
  name: string;
  /** Files of the bad revision, beside `new.yaml` (a ConfigMap that must not be applied). */
  bad: () => Promise<Record<string, string>>;
  /** A spec change that goes with the bad revision. */
  spec?: Record<string, unknown>;
  reason: string;
  message: RegExp;
  /** Whether retrying the same revision cannot help. */
  stalled: boolean;
}

const rows: FailureCase[] = [
  {
    name: 'a Secret encrypted for another key is a DecryptionFailed',
    bad: async () => ({ 'secret.yaml': await sopsEncrypt(secretYaml('db'), otherAge.recipient) }),
    reason: 'DecryptionFailed',
    message: /secret\.yaml/,
    stalled: false,
  },
  {
    name: 'a missing decryption Secret is a DecryptionFailed naming it',
    bad: async () => ({ 'secret.yaml': await sopsEncrypt(secretYaml('db'), age.recipient) }),
    spec: { decryption: { provider: 'sops', secretRef: { name: 'absent-keys' } } },
    reason: 'DecryptionFailed',
    message: /absent-keys/,
    stalled: false,
  },
  {
    name: 'a tampered MAC is a DecryptionFailed naming the file',
    bad: async () => {
      const encrypted = await sopsEncrypt(secretYaml('db'), age.recipient);
      // metadata.name is stored in clear but covered by the MAC.
      return { 'secret.yaml': encrypted.replace('name: db', 'name: dbx') };
    },
    reason: 'DecryptionFailed',
    message: /secret\.yaml/,
    stalled: true,
  },
  {
    name: 'a broken kustomization is a BuildFailed',
    bad: async () => ({
      'kustomization.yaml': 'resources:\n  - new.yaml\n  - missing.yaml\n',
    }),
    reason: 'BuildFailed',
    message: /missing\.yaml/,
    stalled: true,
  },
  {
    name: 'an object the apiserver refuses is a ReconciliationFailed',
    bad: async () => ({
      'bad.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  value:\n    nested: true\n',
    }),
    reason: 'ReconciliationFailed',
    message: /ConfigMap\/.*bad/,
    stalled: false,
  },
];

describe('a failing step stops the run', () => {
  it.each(rows)('$name; nothing applied, nothing pruned', async (row) => {
    const id = rows.indexOf(row);
    const source = `fleet-${id}`;
    const ks = `fail-${id}`;
    const good = await files.publish({
      [`${ks}/kustomization.yaml`]: 'resources:\n  - base.yaml\n',
      [`${ks}/base.yaml`]: configMapYaml(`base-${id}`),
    });
    await setArtifact(env, source, good);
    await createKustomization(env, ks, {
      path: `./${ks}`,
      sourceRef: { kind: 'GitRepository', name: source },
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
    });
    const applied = await waitForKustomization(
      env,
      ks,
      'good revision',
      isAppliedAt(good.revision),
    );
    expect(await exists('ConfigMap', `base-${id}`)).toBe(true);

    const badFiles = await row.bad();
    const bad = await files.publish({
      [`${ks}/kustomization.yaml`]: `resources:\n  - new.yaml\n${Object.keys(badFiles)
        .filter((f) => f !== 'kustomization.yaml')
        .map((f) => `  - ${f}\n`)
        .join('')}`,
      [`${ks}/new.yaml`]: configMapYaml(`new-${id}`),
      ...Object.fromEntries(Object.entries(badFiles).map(([f, text]) => [`${ks}/${f}`, text])),
    });
    if (row.spec) await patchKustomization(env, ks, { spec: row.spec });
    await setArtifact(env, source, bad);

    const failed = await waitForKustomization(
      env,
      ks,
      `${row.reason} at the bad revision`,
      (k) => hasFailed(row.reason)(k) && k.status?.lastAttemptedRevision === bad.revision,
    );
    const ready = condition(failed, 'Ready');
    expect(ready?.message).toMatch(row.message);
    expect(failed.status?.lastAppliedRevision).toBe(good.revision);
    expect(failed.status?.inventory).toEqual(applied.status?.inventory);
    // A retry of the same revision either can help (Reconciling, ProgressingWithRetry) or not.
    if (row.stalled) {
      expect(condition(failed, 'Stalled')).toMatchObject({ status: 'True', reason: row.reason });
      expect(condition(failed, 'Reconciling')).toBeUndefined();
    } else {
      expect(condition(failed, 'Reconciling')?.reason).toBe('ProgressingWithRetry');
      expect(condition(failed, 'Stalled')).toBeUndefined();
    }
    // Nothing of the bad revision applied, nothing of the good one pruned.
    expect(await exists('ConfigMap', `new-${id}`)).toBe(false);
    expect(await exists('Secret', 'db')).toBe(false);
    expect(await exists('ConfigMap', `base-${id}`)).toBe(true);
    // The failure is a Warning event; no decrypted value anywhere.
    const events = await eventsFor(env, ks);
    const warning = events.find((e) => e.type === 'Warning' && e.reason === row.reason);
    expect(warning?.message).toMatch(row.message);
    expect(JSON.stringify(failed)).not.toContain(password);
    expect(JSON.stringify(events)).not.toContain(password);
    expect(controller.logs.join('\n')).not.toContain(password);
  });
});
