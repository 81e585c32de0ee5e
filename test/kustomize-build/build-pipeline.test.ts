// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the manifests hold ${…} substitution variables.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateIdentity } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kustomization } from '../../api/index.ts';
import {
  type ArtifactTree,
  buildManifests,
  type DecryptionKeys,
  decryptionKeysFromSecret,
  decryptObjects,
  fetchArtifact,
  type KubeObject,
  substituteVariables,
} from '../../controllers/kustomize/build/index.ts';
import { isStepError, type StepError } from '../../controllers/kustomize/step-error.ts';
import { createInteropKeys, type InteropKeys } from '../sops/sops-fixtures.ts';
import {
  type ArtifactServer,
  packTree,
  sha256,
  sopsBinaryEnvelope,
  sopsEncrypt,
  startArtifactServer,
  writeTree,
} from './fixtures.ts';

/** Every plaintext value of the fixture; none may appear in any error. */
const plaintexts = {
  agePassword: 'age-plain-password',
  pgpPassword: 'pgp-plain-password',
  patch: 'patch-plain-value',
  env: 'env-plain-key',
  json: 'json-plain-dsn',
  envelope: 'envelope-plain-token',
};
const regex = ['--encrypted-regex', '^(data|stringData)$'];
const signal = new AbortController().signal;

let keys: InteropKeys;
let server: ArtifactServer;
let dir: string;
let secretKeys: DecryptionKeys;
const artifacts: Record<string, { url: string; digest: string; revision: string }> = {};

function secret(name: string, stringData: Record<string, string>): string {
  const lines = Object.entries(stringData).map(([k, v]) => `  ${k}: ${v}`);
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n${lines.join('\n')}\n`;
}

async function publish(name: string, paths: string[]): Promise<void> {
  const bytes = await packTree(dir, paths);
  server.put(`/${name}.tar.gz`, bytes);
  artifacts[name] = {
    url: server.url(`/${name}.tar.gz`),
    digest: sha256(bytes),
    revision: `main@sha1:${name}`,
  };
}

beforeAll(async () => {
  keys = await createInteropKeys();
  server = await startArtifactServer();
  const age = ['--age', keys.age[0]?.recipient ?? ''];
  dir = await writeTree({
    'apps/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [secret-age.yaml, secret-pgp.yaml, secret-envelope.yaml, deployment.yaml, settings.yaml]',
      'patches:',
      '  - path: patch.yaml',
      'secretGenerator:',
      '  - name: generated',
      '    envs: [app.env]',
      '    files: [config.json]',
      'generatorOptions:',
      '  disableNameSuffixHash: true',
      '',
    ].join('\n'),
    'apps/secret-age.yaml': secret('db-age', { password: plaintexts.agePassword }),
    'apps/secret-pgp.yaml': secret('db-pgp', { password: plaintexts.pgpPassword }),
    'apps/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    cluster: ${CLUSTER}',
      '    region: ${REGION:=eu-west-1}',
      'spec:',
      '  replicas: 1',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: nginx:1.0',
      '',
    ].join('\n'),
    'apps/settings.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: settings',
      '  annotations:',
      '    kustomize.toolkit.fluxcd.io/substitute: disabled',
      'data:',
      "  literal: '${CLUSTER}'",
      '',
    ].join('\n'),
    'apps/patch.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    patched: ${plaintexts.patch}\n`,
    'apps/app.env': `API_KEY=${plaintexts.env}\n`,
    'apps/config.json': `{"dsn": "${plaintexts.json}"}\n`,
    'broken/kustomization.yaml': 'resources: [missing.yaml]\n',
  });
  await sopsEncrypt(dir, 'apps/secret-age.yaml', [...age, ...regex], keys.env);
  await sopsEncrypt(
    dir,
    'apps/secret-pgp.yaml',
    ['--pgp', keys.pgp.fingerprint, ...regex],
    keys.env,
  );
  await sopsEncrypt(dir, 'apps/patch.yaml', age, keys.env);
  await sopsEncrypt(dir, 'apps/app.env', age, keys.env);
  await sopsEncrypt(dir, 'apps/config.json', age, keys.env);
  const envelope = await sopsBinaryEnvelope(dir, plaintexts.envelope, age, keys.env);
  await writeFile(
    join(dir, 'apps/secret-envelope.yaml'),
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: envelope\ndata:\n  token: ${Buffer.from(envelope).toString('base64')}\n`,
  );
  await publish('good', ['apps', 'broken']);
  // The same tree with an unencrypted field of an encrypted file edited afterwards.
  const sealed = await readFile(join(dir, 'apps/secret-age.yaml'), 'utf8');
  await writeFile(
    join(dir, 'apps/secret-age.yaml'),
    sealed.replace('name: db-age', 'name: db-evil'),
  );
  await publish('tampered', ['apps']);
  secretKeys = decryptionKeysFromSecret({
    'age.agekey': Buffer.from(`${keys.age[0]?.identity ?? ''}\n`),
    'pgp.asc': Buffer.from(keys.pgp.secret),
    'not-a-key.txt': Buffer.from('ignored'),
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await keys?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function kustomization(spec: Partial<Kustomization['spec']> = {}, decrypt = true): Kustomization {
  const ks: Kustomization = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system' },
    spec: {
      interval: '5m',
      prune: true,
      path: './apps',
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } },
      ...spec,
    },
  };
  if (!decrypt) delete ks.spec.decryption;
  return ks;
}

async function fetchNamed(name: string): Promise<ArtifactTree> {
  const artifact = artifacts[name];
  if (!artifact) throw new Error(`no artifact ${name}`);
  return fetchArtifact(artifact, { signal });
}

/** fetch → build → decrypt, as the reconciler runs them. */
async function pipeline(
  name: string,
  ks: Kustomization,
  decryption: DecryptionKeys | undefined,
): Promise<KubeObject[]> {
  const tree = await fetchNamed(name);
  const built = await buildManifests(ks, tree, decryption, { signal });
  return decryptObjects(built, decryption);
}

async function stepFailure(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStepError(error)) throw new Error(`expected a StepError, got ${String(error)}`);
  for (const value of Object.values(plaintexts)) expect(error.message).not.toContain(value);
  return error;
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

/** The value at a path of plain JSON data. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path)
    current = (current as Record<string | number, unknown> | undefined)?.[key];
  return current;
}

const decoded = (data: unknown) =>
  Object.fromEntries(
    Object.entries(data as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );

describe('fetch, build, decrypt with the real sops', () => {
  it('decrypts age and PGP Secrets, patches, generator envs and files, and binary envelopes', async () => {
    const objects = await pipeline('good', kustomization(), secretKeys);
    expect(secretKeys.unknownEntries).toEqual(['not-a-key.txt']);
    expect(find(objects, 'Secret', 'db-age').stringData).toEqual({
      password: plaintexts.agePassword,
    });
    expect(find(objects, 'Secret', 'db-pgp').stringData).toEqual({
      password: plaintexts.pgpPassword,
    });
    expect(find(objects, 'Deployment', 'web').metadata.labels).toEqual({
      patched: plaintexts.patch,
    });
    const generated = decoded(find(objects, 'Secret', 'generated').data);
    expect(generated.API_KEY).toBe(plaintexts.env);
    expect(JSON.parse(generated['config.json'] ?? '')).toEqual({ dsn: plaintexts.json });
    expect(decoded(find(objects, 'Secret', 'envelope').data)).toEqual({
      token: plaintexts.envelope,
    });
    expect(JSON.stringify(objects)).not.toContain('ENC[');
    expect(objects.map((o) => `${o.kind}/${String(o.metadata.name)}`)).toEqual([
      'Secret/db-age',
      'Secret/db-pgp',
      'Secret/envelope',
      'Deployment/web',
      'ConfigMap/settings',
      'Secret/generated',
    ]);
  });

  it('refuses a tampered MAC naming the file', async () => {
    const error = await stepFailure(pipeline('tampered', kustomization(), secretKeys));
    expect(error.reason).toBe('DecryptionFailed');
    expect(error.message).toMatch(/^apps\/secret-age\.yaml: MAC mismatch/);
    expect(error.message).toContain('re-encrypt it with sops');
  });

  it('refuses files encrypted for keys it does not hold', async () => {
    const wrong = decryptionKeysFromSecret({
      'other.agekey': Buffer.from(await generateIdentity()),
    });
    const error = await stepFailure(pipeline('good', kustomization(), wrong));
    expect(error.reason).toBe('DecryptionFailed');
    expect(error.message).toMatch(/^apps\/secret-age\.yaml: /);
  });

  it('asks for spec.decryption when encrypted files meet no keys', async () => {
    const error = await stepFailure(pipeline('good', kustomization({}, false), undefined));
    expect(error.reason).toBe('DecryptionFailed');
    expect(error.message).toContain('set spec.decryption');
  });

  it('reports a broken kustomization as BuildFailed', async () => {
    const error = await stepFailure(
      pipeline('good', kustomization({ path: 'broken' }), secretKeys),
    );
    expect(error.reason).toBe('BuildFailed');
    expect(error.message).toMatch(/^kustomize build failed: .*missing\.yaml/);
  });

  it('refuses a spec.path leaving the artifact', async () => {
    const error = await stepFailure(
      pipeline('good', kustomization({ path: '../../etc' }), secretKeys),
    );
    expect(error.reason).toBe('BuildFailed');
    expect(error.message).toContain('outside the artifact');
  });

  it.each([
    {
      name: 'a digest mismatch is an artifact failure',
      path: '/good.tar.gz',
      digest: `sha256:${'0'.repeat(64)}`,
      want: /does not match/,
    },
    {
      name: 'a missing artifact is an artifact failure',
      path: '/gone.tar.gz',
      digest: `sha256:${'0'.repeat(64)}`,
      want: /HTTP 404/,
    },
  ])('$name', async ({ path, digest, want }) => {
    const error = await stepFailure(
      fetchArtifact({ url: server.url(path), digest, revision: 'r' }, { signal }),
    );
    expect(error.reason).toBe('ArtifactFailed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(want);
  });

  it('refuses an artifact larger than maxBytes', async () => {
    const artifact = artifacts.good;
    if (!artifact) throw new Error('no artifact');
    const error = await stepFailure(fetchArtifact(artifact, { signal, maxBytes: 100 }));
    expect(error.reason).toBe('ArtifactFailed');
    expect(error.message).toContain('larger than the 100 bytes allowed');
  });

  it('unpacks the artifact it fetched, file for file', async () => {
    const tree = await fetchNamed('good');
    expect(tree.revision).toBe('main@sha1:good');
    expect([...tree.files.keys()].sort()).toContain('apps/secret-age.yaml');
    expect([...tree.files.keys()].every((p) => !p.startsWith('/') && !p.includes('..'))).toBe(true);
  });

  it('applies spec patches, images, targetNamespace and namePrefix', async () => {
    const objects = await pipeline(
      'good',
      kustomization({
        targetNamespace: 'prod',
        namePrefix: 'p-',
        images: [{ name: 'nginx', newTag: '1.25' }],
        patches: [
          {
            patch: '- op: replace\n  path: /spec/replicas\n  value: 3',
            target: { kind: 'Deployment', name: 'web' },
          },
        ],
      }),
      secretKeys,
    );
    const web = find(objects, 'Deployment', 'p-web');
    expect(web.metadata.namespace).toBe('prod');
    expect(at(web, 'spec', 'replicas')).toBe(3);
    expect(at(web, 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe('nginx:1.25');
    expect(find(objects, 'Secret', 'p-db-age').stringData).toEqual({
      password: plaintexts.agePassword,
    });
    expect(objects.every((o) => o.metadata.namespace === 'prod')).toBe(true);
  });

  it('substitutes variables with defaults, honours the opt-out, and fails strictly', async () => {
    const objects = await pipeline('good', kustomization(), secretKeys);
    const out = substituteVariables(objects, { CLUSTER: 'prod-eu' });
    expect(find(out, 'Deployment', 'web').metadata.annotations).toEqual({
      cluster: 'prod-eu',
      region: 'eu-west-1',
    });
    expect(find(out, 'ConfigMap', 'settings').data).toEqual({ literal: '${CLUSTER}' });
    expect(find(out, 'Secret', 'db-age').stringData).toEqual({ password: plaintexts.agePassword });
    const error = (() => {
      try {
        substituteVariables(objects, { REGION: 'x' }, { strict: true });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isStepError(error) && error.reason).toBe('BuildFailed');
    expect((error as Error).message).toContain(`"CLUSTER"`);
  });
});
