import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import type { Kustomization } from '../../../api/index.ts';
import { encryptFile, type Format } from '../../../sops/index.ts';
import { isStepError, type StepError } from '../step-error.ts';
import {
  type ArtifactTree,
  buildManifests,
  type DecryptionKeys,
  decryptionKeysFromSecret,
  type KubeObject,
} from './index.ts';

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const keys = decryptionKeysFromSecret({ 'age.agekey': Buffer.from(`${identity}\n`) });
const signal = new AbortController().signal;
const secretValue = 'hunter2-very-secret';

async function encrypt(text: string, format: Format, encrypted_regex?: string): Promise<string> {
  const bytes = await encryptFile(Buffer.from(text), {
    format,
    keyGroups: [[{ type: 'age', id: recipient }]],
    keySources: keys.keySources,
    ...(encrypted_regex ? { rules: { encrypted_regex } } : {}),
  });
  return Buffer.from(bytes).toString('utf8');
}

function tree(files: Record<string, string>): ArtifactTree {
  return {
    revision: 'main@sha1:abc',
    files: new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

function ks(spec: Partial<Kustomization['spec']> = {}, decrypt = true): Kustomization {
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system' },
    spec: {
      interval: '5m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'repo' },
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      ...spec,
    },
  };
  if (!decrypt) delete kustomization.spec.decryption;
  return kustomization;
}

async function failure(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStepError(error)) throw new Error(`expected a StepError, got ${String(error)}`);
  return error;
}

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ${secretValue}
`;
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.0
`;

function byName(objects: KubeObject[], name: string): KubeObject {
  const found = objects.find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no object ${name} in ${objects.map((o) => o.metadata.name).join()}`);
  return found;
}

describe('buildManifests', () => {
  it('decrypts an encrypted resource before the build', async () => {
    const files = tree({
      'apps/kustomization.yaml': 'resources:\n  - db.yaml\n  - web.yaml\n',
      'apps/db.yaml': await encrypt(secretYaml, 'yaml', '^(data|stringData)$'),
      'apps/web.yaml': deployment,
    });
    const objects = await buildManifests(ks({ path: './apps' }), files, keys, { signal });
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'Deployment']);
    expect(byName(objects, 'db').stringData).toEqual({ password: secretValue });
    expect(byName(objects, 'db')).not.toHaveProperty('sops');
  });

  it('decrypts patches and generator env files and files', async () => {
    const files = tree({
      'kustomization.yaml': [
        'resources: [web.yaml]',
        'patches:',
        '  - path: patch.yaml',
        'secretGenerator:',
        '  - name: app',
        '    envs: [app.env]',
        '    files: [config.yaml, token=token.bin]',
        'generatorOptions: {disableNameSuffixHash: true}',
      ].join('\n'),
      'web.yaml': deployment,
      'patch.yaml': await encrypt(
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    secret: patched-secret\n',
        'yaml',
      ),
      'app.env': await encrypt('API_KEY=env-secret\n', 'dotenv'),
      'config.yaml': await encrypt('key: file-secret\n', 'yaml'),
      'token.bin': await encrypt('raw-token-secret', 'binary'),
    });
    const objects = await buildManifests(ks(), files, keys, { signal });
    const web = byName(objects, 'web');
    expect(web.metadata.annotations).toEqual({ secret: 'patched-secret' });
    const data = byName(objects, 'app').data as Record<string, string>;
    const decoded = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    expect(decoded).toEqual({
      API_KEY: 'env-secret',
      'config.yaml': 'key: file-secret\n',
      token: 'raw-token-secret',
    });
  });

  it('decrypts files of components and bases reached through directories', async () => {
    const files = tree({
      'overlay/kustomization.yaml': 'resources: [../base]\ncomponents: [../comp]\n',
      'base/kustomization.yaml': 'resources: [db.yaml]\n',
      'base/db.yaml': await encrypt(secretYaml, 'yaml', '^(data|stringData)$'),
      'comp/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n  - name: comp\n    envs: [c.env]\n',
      'comp/c.env': await encrypt('FROM_COMPONENT=component-secret\n', 'dotenv'),
    });
    const objects = await buildManifests(ks({ path: 'overlay' }), files, keys, { signal });
    expect(byName(objects, 'db').stringData).toEqual({ password: secretValue });
    const cm = objects.find((o) => o.kind === 'ConfigMap');
    expect(cm?.data).toEqual({ FROM_COMPONENT: 'component-secret' });
  });

  it('builds a kustomization that only generates objects', async () => {
    const files = tree({
      'kustomization.yaml': 'configMapGenerator:\n  - name: a\n    literals: [x=1]\n',
    });
    const objects = await buildManifests(ks(), files, keys, { signal });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap']);
    expect(objects[0]?.data).toEqual({ x: '1' });
  });

  it('builds nothing from a directory without manifests', async () => {
    const files = tree({ 'empty/README.md': '# nothing here' });
    expect(await buildManifests(ks({ path: 'empty' }), files, keys, { signal })).toEqual([]);
  });

  it('leaves a resource that opts out with decrypt: disabled encrypted', async () => {
    const opted = secretYaml.replace(
      'name: db\n',
      'name: db\n  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: disabled\n',
    );
    const files = tree({
      'kustomization.yaml': 'resources: [db.yaml]\n',
      'db.yaml': await encrypt(opted, 'yaml', '^(data|stringData)$'),
    });
    const [db] = await buildManifests(ks(), files, keys, { signal });
    expect(db).toHaveProperty('sops');
    expect(JSON.stringify(db)).not.toContain(secretValue);
  });

  it('refuses a tampered MAC naming the file, without the plaintext', async () => {
    const sealed = await encrypt(secretYaml, 'yaml', '^(data|stringData)$');
    const tampered = sealed.replace(/name: db/, 'name: db2');
    const files = tree({
      'apps/kustomization.yaml': 'resources: [db.yaml]\n',
      'apps/db.yaml': tampered,
    });
    const error = await failure(buildManifests(ks({ path: 'apps' }), files, keys, { signal }));
    expect(error.reason).toBe('DecryptionFailed');
    expect(error.message).toMatch(/^apps\/db\.yaml: MAC mismatch.*; re-encrypt it with sops$/);
    expect(error.message).not.toContain(secretValue);
    expect(error.retryable).toBe(false);
  });

  it('refuses an encrypted file when no decryption is configured', async () => {
    const files = tree({
      'kustomization.yaml': 'resources: [db.yaml]\n',
      'db.yaml': await encrypt(secretYaml, 'yaml'),
    });
    const error = await failure(buildManifests(ks({}, false), files, undefined, { signal }));
    expect(error.reason).toBe('DecryptionFailed');
    expect(error.message).toContain('db.yaml');
    expect(error.message).toContain('set spec.decryption');
  });

  it('refuses a file encrypted for another key, naming the file', async () => {
    const other = await generateIdentity();
    const wrong: DecryptionKeys = decryptionKeysFromSecret({ 'x.agekey': Buffer.from(other) });
    const files = tree({
      'kustomization.yaml': 'resources: [db.yaml]\n',
      'db.yaml': await encrypt(secretYaml, 'yaml'),
    });
    const error = await failure(buildManifests(ks(), files, wrong, { signal }));
    expect(error.reason).toBe('DecryptionFailed');
    expect(error.message).toMatch(/^db\.yaml: /);
    expect(error.message).not.toContain(secretValue);
  });

  it.each([
    { name: 'a path above the artifact is refused', path: '../outside', reason: 'BuildFailed' },
    { name: 'a missing path is an artifact failure', path: './nope', reason: 'ArtifactFailed' },
  ])('$name', async ({ path, reason }) => {
    const files = tree({ 'kustomization.yaml': 'resources: []\n' });
    const error = await failure(buildManifests(ks({ path }), files, keys, { signal }));
    expect(error.reason).toBe(reason);
  });

  it('reports a broken kustomization as BuildFailed with kustomize message', async () => {
    const files = tree({ 'kustomization.yaml': 'resources: [missing.yaml]\n' });
    const error = await failure(buildManifests(ks(), files, keys, { signal }));
    expect(error.reason).toBe('BuildFailed');
    expect(error.message).toMatch(/^kustomize build failed: .*missing\.yaml/);
  });

  it('keeps decrypted values out of build errors', async () => {
    const files = tree({
      'kustomization.yaml': 'resources: [web.yaml]\npatches:\n  - path: patch.yaml\n',
      'web.yaml': deployment,
      // The patch targets an object named by a secret value, which kustomize quotes.
      'patch.yaml': await encrypt(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${secretValue}\n`,
        'yaml',
      ),
    });
    const error = await failure(buildManifests(ks(), files, keys, { signal }));
    expect(error.reason).toBe('BuildFailed');
    expect(error.message).toContain('<redacted>');
    expect(error.message).not.toContain(secretValue);
  });

  it('generates a kustomization for plain manifests and applies the spec overlays', async () => {
    const files = tree({
      'deploy/web.yaml': deployment,
      'deploy/extra/cm.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
      'deploy/README.md': '# not a manifest',
    });
    const objects = await buildManifests(
      ks({
        path: 'deploy',
        targetNamespace: 'prod',
        namePrefix: 'p-',
        images: [{ name: 'nginx', newTag: '2.0' }],
        patches: [
          {
            patch: '- op: replace\n  path: /spec/replicas\n  value: 3',
            target: { kind: 'Deployment' },
          },
        ],
        commonMetadata: { labels: { team: 'a' } },
      }),
      files,
      keys,
      { signal },
    );
    expect(objects.map((o) => `${o.kind}/${String(o.metadata.name)}`)).toEqual([
      'ConfigMap/p-cm',
      'Deployment/p-web',
    ]);
    const web = byName(objects, 'p-web') as KubeObject & { spec: Record<string, unknown> };
    expect(web.metadata.namespace).toBe('prod');
    expect(web.spec.replicas).toBe(3);
    expect(JSON.stringify(web)).toContain('nginx:2.0');
    expect(web.metadata.labels).toEqual({ team: 'a' });
  });
});
