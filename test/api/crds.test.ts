import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  applyGitRepositoryDefaults,
  applyKustomizationDefaults,
  type GitRepository,
  GitRepositoryApi,
  inventoryEntryFor,
  type Kustomization,
  KustomizationApi,
  Reason,
  setCondition,
  validateGitRepository,
  validateKustomization,
} from '../../api/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { applyRawClusterObject, rawRequest } from './raw-apply.ts';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const crdFiles = [
  'manifests/crds/source.toolkit.fluxcd.io_gitrepositories.yaml',
  'manifests/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
];

let env: TestEnv;
let custom: CustomObjectsApi;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'api-crds' });
  custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
  const extensions = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
  // The committed files are what users install, so they are what we apply. CRDs are cluster
  // wide and other tests may apply them too: server-side apply keeps this idempotent.
  // They go as raw JSON: client-node's typed serializer would drop `default` and `enum`.
  for (const file of crdFiles) {
    const crd = parse(readFileSync(join(root, file), 'utf8')) as KubernetesObject;
    const name = crd.metadata?.name ?? '';
    await applyRawClusterObject(
      env.kubeConfig,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      crd,
      'kustodian-api-test',
    );
    await waitFor(`CRD ${name} to be Established`, async () => {
      const read = await extensions.readCustomResourceDefinition({ name });
      const established = read.status?.conditions?.find((c) => c.type === 'Established');
      return established?.status === 'True' ? true : undefined;
    });
  }
});

afterAll(async () => {
  await env?.stop();
});

const gitRepositoryTarget: Target = {
  group: GitRepositoryApi.group,
  version: GitRepositoryApi.version,
  plural: GitRepositoryApi.plural,
};
const kustomizationTarget: Target = {
  group: KustomizationApi.group,
  version: KustomizationApi.version,
  plural: KustomizationApi.plural,
};

interface Target {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

type Outcome =
  | { readonly created: Record<string, unknown> }
  | { readonly error: { readonly code?: number; readonly body?: unknown } };

/**
 * Creates an object, retrying only while the just-established CRD is not yet served (404);
 * any other refusal is returned, not retried.
 */
async function tryCreate(target: Target, body: object): Promise<Outcome> {
  return waitFor('the create to be served', async () => {
    try {
      const created = await custom.createNamespacedCustomObject({
        ...target,
        namespace: env.namespace,
        body,
      });
      return { created: created as Record<string, unknown> };
    } catch (caught) {
      const error = caught as { code?: number; body?: unknown };
      return error.code === 404 ? undefined : { error };
    }
  });
}

async function create(target: Target, body: object): Promise<Record<string, unknown>> {
  const outcome = await tryCreate(target, body);
  if ('error' in outcome) {
    throw new Error(`create refused: HTTP ${outcome.error.code}: ${String(outcome.error.body)}`);
  }
  return outcome.created;
}

async function read(target: Target, name: string): Promise<Record<string, unknown>> {
  return (await custom.getNamespacedCustomObject({
    ...target,
    namespace: env.namespace,
    name,
  })) as Record<string, unknown>;
}

/** Flux's documented example, as a user would write it. */
function podinfoGitRepository(name: string): GitRepository {
  return parse(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: ${name}
spec:
  interval: 5m0s
  url: https://github.com/stefanprodan/podinfo
  ref:
    branch: master
  verify:
    secretRef:
      name: pgp-public-keys
`) as GitRepository;
}

function podinfoKustomization(name: string): Kustomization {
  return parse(`
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
spec:
  interval: 10m
  targetNamespace: default
  sourceRef:
    kind: GitRepository
    name: podinfo
  path: "./kustomize"
  prune: true
  timeout: 1m
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
`) as Kustomization;
}

describe('GitRepository and Kustomization CRDs on the real apiserver', () => {
  it('GitRepository gets the CRD defaults, the same ones applyGitRepositoryDefaults fills in', async () => {
    const input = podinfoGitRepository('podinfo');
    expect(validateGitRepository(input).ok).toBe(true);
    await create(gitRepositoryTarget, input);
    const stored = await read(gitRepositoryTarget, 'podinfo');
    expect(stored.spec).toMatchObject({ timeout: '60s', verify: { mode: 'HEAD' } });
    expect(stored.status).toEqual({ observedGeneration: -1 });
    const ours = applyGitRepositoryDefaults(input);
    expect(stored.spec).toEqual(ours.spec);
    expect(stored.status).toEqual(ours.status);
  });

  it('Kustomization gets the CRD defaults, the same ones applyKustomizationDefaults fills in', async () => {
    const input = podinfoKustomization('podinfo');
    expect(validateKustomization(input).ok).toBe(true);
    await create(kustomizationTarget, input);
    const stored = await read(kustomizationTarget, 'podinfo');
    expect(stored.spec).toMatchObject({
      force: false,
      postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars', optional: false }] },
    });
    expect(stored.status).toEqual({ observedGeneration: -1 });
    const ours = applyKustomizationDefaults(input);
    expect(stored.spec).toEqual(ours.spec);
    expect(stored.status).toEqual(ours.status);
  });

  it('accepts a status written with our condition and inventory helpers', async () => {
    await create(kustomizationTarget, podinfoKustomization('with-status'));
    const current = await read(kustomizationTarget, 'with-status');
    const generation = (current.metadata as { generation: number }).generation;
    const conditions = setCondition(
      [],
      {
        type: 'Ready',
        status: 'True',
        reason: Reason.ReconciliationSucceeded,
        message: 'Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567',
      },
      { now: new Date('2026-01-02T03:04:05.678Z'), observedGeneration: generation },
    );
    const entry = inventoryEntryFor({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo', namespace: 'default' },
    });
    const status = {
      observedGeneration: generation,
      conditions,
      lastAppliedRevision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      lastAttemptedRevision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      inventory: { entries: [entry] },
    };
    await custom.replaceNamespacedCustomObjectStatus({
      ...kustomizationTarget,
      namespace: env.namespace,
      name: 'with-status',
      body: { ...current, status },
    });
    const stored = await read(kustomizationTarget, 'with-status');
    expect(stored.status).toEqual(status);
    expect(entry).toEqual({ id: 'default_podinfo_apps_Deployment', v: 'v1' });

    // What `kubectl get ks` shows comes from the printer columns.
    const table = (await rawRequest(env.kubeConfig, {
      method: 'GET',
      path: `/apis/${KustomizationApi.apiVersion}/namespaces/${env.namespace}/kustomizations/with-status`,
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    })) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.columnDefinitions.map((column) => column.name)).toEqual([
      'Name',
      'Age',
      'Ready',
      'Status',
    ]);
    const cells = table.rows[0]?.cells ?? [];
    expect([cells[0], cells[2], cells[3]]).toEqual([
      'with-status',
      'True',
      'Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567',
    ]);
  });

  it.each([
    {
      name: 'GitRepository',
      apiVersion: GitRepositoryApi.apiVersion,
      plural: 'gitrepositories',
      shortNames: ['gitrepo'],
    },
    {
      name: 'Kustomization',
      apiVersion: KustomizationApi.apiVersion,
      plural: 'kustomizations',
      shortNames: ['ks'],
    },
  ])(
    '$name is discoverable by its short name and Flux categories',
    async ({ apiVersion, plural, shortNames }) => {
      const list = (await rawRequest(env.kubeConfig, {
        method: 'GET',
        path: `/apis/${apiVersion}`,
      })) as {
        resources: { name: string; shortNames?: string[]; categories?: string[] }[];
      };
      const resource = list.resources.find((r) => r.name === plural);
      expect(resource?.shortNames).toEqual(shortNames);
      expect(resource?.categories).toContain('fluxcd');
      expect(list.resources.map((r) => r.name)).toContain(`${plural}/status`);
    },
  );

  const invalidObjects = [
    {
      name: 'an interval that is not a duration is refused',
      target: kustomizationTarget,
      body: (n: string) => withSpec(podinfoKustomization(n), { interval: '5 minutes' }),
      field: 'spec.interval',
    },
    {
      name: 'an unknown deletionPolicy is refused',
      target: kustomizationTarget,
      body: (n: string) => withSpec(podinfoKustomization(n), { deletionPolicy: 'Sometimes' }),
      field: 'spec.deletionPolicy',
    },
    {
      name: 'a Kustomization without sourceRef is refused',
      target: kustomizationTarget,
      body: (n: string) => withoutSpecField(podinfoKustomization(n), 'sourceRef'),
      field: 'spec.sourceRef',
    },
    {
      name: 'a kubeConfig with both configMapRef and secretRef is refused (CEL rule)',
      target: kustomizationTarget,
      body: (n: string) =>
        withSpec(podinfoKustomization(n), {
          kubeConfig: { configMapRef: { name: 'a' }, secretRef: { name: 'b' } },
        }),
      field: 'spec.kubeConfig',
    },
    {
      name: 'a GitRepository URL that is not http, https or ssh is refused',
      target: gitRepositoryTarget,
      body: (n: string) => withSpec(podinfoGitRepository(n), { url: 'ftp://example.com/repo' }),
      field: 'spec.url',
    },
    {
      name: 'serviceAccountName without the azure or aws provider is refused (CEL rule)',
      target: gitRepositoryTarget,
      body: (n: string) => withSpec(podinfoGitRepository(n), { serviceAccountName: 'git' }),
      field: 'spec',
    },
  ];

  it.each(invalidObjects.map((row, index) => ({ ...row, index })))(
    '$name, by the apiserver with 422 and by our validator',
    async ({ target, body, field, index }) => {
      const object = body(`invalid-${index}`);
      const ours =
        target === gitRepositoryTarget
          ? validateGitRepository(object)
          : validateKustomization(object);
      expect(ours.ok).toBe(false);
      if (!ours.ok) expect(ours.issues.map((issue) => issue.path)).toContain(field);

      const outcome = await tryCreate(target, object);
      const error = 'error' in outcome ? outcome.error : undefined;
      expect(error?.code).toBe(422);
      expect(String(error?.body)).toContain(field);
    },
  );
});

function withSpec<T extends { spec: object }>(object: T, fields: Record<string, unknown>): T {
  return { ...object, spec: { ...object.spec, ...fields } };
}

function withoutSpecField<T extends { spec: object }>(object: T, field: string): T {
  const spec: Record<string, unknown> = { ...object.spec };
  delete spec[field];
  return { ...object, spec } as T;
}
