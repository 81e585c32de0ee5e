import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  type CoreV1Event,
  CustomObjectsApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { create } from 'tar';
import { parse } from 'yaml';
import {
  type Condition,
  findCondition,
  type Kustomization,
  type KustomizationSpec,
} from '../../api/index.ts';
import { KubeClientFactory, RequestCounter } from '../../controllers/apply/index.ts';
import {
  buildEngine,
  createKustomizationController,
  type KustomizationObject,
  KustomizationReconciler,
  type KustomizationReconcilerOptions,
} from '../../controllers/kustomize/index.ts';
import {
  type ControllerContext,
  createControllerContext,
  createLogger,
  ObjectClient,
  objectKey,
  RuntimeMetrics,
} from '../../controllers/runtime/index.ts';
import { applyRawClusterObject, rawRequest } from '../api/raw-apply.ts';
import type { TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { run } from '../sops/sops-fixtures.ts';

const crdDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'manifests', 'crds');

/** Installs both CRDs as raw JSON (typed clients drop their defaults) and waits for them. */
export async function installCrds(env: TestEnv): Promise<void> {
  const extensions = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const file of [
    'source.toolkit.fluxcd.io_gitrepositories.yaml',
    'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  ]) {
    const crd = parse(readFileSync(join(crdDir, file), 'utf8')) as KubernetesObject;
    const name = crd.metadata?.name ?? '';
    await applyRawClusterObject(
      env.kubeConfig,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      crd,
      'kustodian-kustomize-test',
    );
    await waitFor(`CRD ${name} to be Established`, async () => {
      const read = await extensions.readCustomResourceDefinition({ name });
      const established = read.status?.conditions?.find((c) => c.type === 'Established');
      return established?.status === 'True' ? true : undefined;
    });
  }
}

export interface PublishedArtifact {
  readonly path: string;
  readonly url: string;
  readonly revision: string;
  readonly digest: string;
  readonly lastUpdateTime: string;
}

/** Serves artifact tarballs from loopback, as source-controller's file server would. */
export class ArtifactFiles {
  readonly #server: Server;
  readonly #files = new Map<string, Buffer>();
  readonly #work: string;
  #count = 0;

  private constructor(server: Server, work: string) {
    this.#server = server;
    this.#work = work;
  }

  static async start(): Promise<ArtifactFiles> {
    const work = await mkdtemp(join(tmpdir(), 'kustodian-ks-artifacts-'));
    let files: ArtifactFiles | undefined;
    const server = createServer((req, res) => {
      const body = files?.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    files = new ArtifactFiles(server, work);
    return files;
  }

  get(path: string): Buffer | undefined {
    return this.#files.get(path);
  }

  /** Packs `files` (path → text) as a tar.gz artifact of `main@sha1:<hash of content>`. */
  async publish(files: Record<string, string>): Promise<PublishedArtifact> {
    const dir = join(this.#work, `tree-${++this.#count}`);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const tarball = join(this.#work, `artifact-${this.#count}.tar.gz`);
    await create({ gzip: true, file: tarball, cwd: dir, portable: true }, Object.keys(files));
    const bytes = await readFile(tarball);
    const sha1 = createHash('sha1').update(JSON.stringify(files)).digest('hex');
    const path = `/gitrepository/${this.#count}/${sha1}.tar.gz`;
    this.#files.set(path, bytes);
    const { port } = this.#server.address() as AddressInfo;
    return {
      path,
      url: `http://127.0.0.1:${port}${path}`,
      revision: `main@sha1:${sha1}`,
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      lastUpdateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.#work, { recursive: true, force: true });
  }
}

const sourceApi = '/apis/source.toolkit.fluxcd.io/v1';
const kustomizeApi = '/apis/kustomize.toolkit.fluxcd.io/v1';

/** Creates the GitRepository if needed and writes `artifact` into its status, as source-controller would. */
export async function setArtifact(
  env: TestEnv,
  name: string,
  artifact: PublishedArtifact,
): Promise<void> {
  const base = `${sourceApi}/namespaces/${env.namespace}/gitrepositories`;
  try {
    await rawRequest(env.kubeConfig, { method: 'GET', path: `${base}/${name}` });
  } catch {
    await rawPost(env, base, {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name, namespace: env.namespace },
      spec: { url: 'https://example.invalid/fleet.git', interval: '10m' },
    });
  }
  await rawRequest(env.kubeConfig, {
    method: 'PATCH',
    path: `${base}/${name}/status`,
    contentType: 'application/merge-patch+json',
    body: { status: { artifact } },
  });
}

async function rawPost(env: TestEnv, path: string, body: unknown): Promise<void> {
  // rawRequest only sends GET/PATCH; a server-side apply PATCH creates the object.
  const object = body as { metadata: { name: string } };
  await rawRequest(env.kubeConfig, {
    method: 'PATCH',
    path: `${path}/${object.metadata.name}?fieldManager=kustodian-test&force=true`,
    contentType: 'application/apply-patch+yaml',
    body,
  });
}

export async function createKustomization(
  env: TestEnv,
  name: string,
  spec: Partial<KustomizationSpec>,
): Promise<void> {
  await rawPost(env, `${kustomizeApi}/namespaces/${env.namespace}/kustomizations`, {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: env.namespace },
    spec: {
      interval: '10m',
      retryInterval: '2s',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      targetNamespace: env.namespace,
      ...spec,
    },
  });
}

export async function patchKustomization(
  env: TestEnv,
  name: string,
  patch: Record<string, unknown>,
): Promise<void> {
  await rawRequest(env.kubeConfig, {
    method: 'PATCH',
    path: `${kustomizeApi}/namespaces/${env.namespace}/kustomizations/${name}`,
    contentType: 'application/merge-patch+json',
    body: patch,
  });
}

export async function readKustomization(
  env: TestEnv,
  name: string,
): Promise<Kustomization | undefined> {
  try {
    return (await rawRequest(env.kubeConfig, {
      method: 'GET',
      path: `${kustomizeApi}/namespaces/${env.namespace}/kustomizations/${name}`,
    })) as Kustomization;
  } catch (error) {
    if (String(error).includes('HTTP 404')) return undefined;
    throw error;
  }
}

export function condition(ks: Kustomization | undefined, type: string): Condition | undefined {
  return findCondition(ks?.status?.conditions, type);
}

/** Waits until the Kustomization satisfies `check`, returning it. */
export function waitForKustomization(
  env: TestEnv,
  name: string,
  what: string,
  check: (ks: Kustomization) => boolean,
  timeoutMs = 45_000,
): Promise<Kustomization> {
  let last: Kustomization | undefined;
  return waitFor(
    `Kustomization ${name}: ${what}`,
    async () => {
      last = await readKustomization(env, name);
      return last && check(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; last status: ${JSON.stringify(last?.status)}`);
  });
}

/** Ready=True for this revision and generation. */
export function isAppliedAt(revision: string) {
  return (ks: Kustomization) =>
    condition(ks, 'Ready')?.status === 'True' &&
    ks.status?.lastAppliedRevision === revision &&
    ks.status.observedGeneration === ks.metadata.generation;
}

/** Ready=False with `reason`, for the attempt at `revision` when given. */
export function hasFailed(reason: string) {
  return (ks: Kustomization) => {
    const ready = condition(ks, 'Ready');
    return ready?.status === 'False' && ready.reason === reason;
  };
}

export async function eventsFor(env: TestEnv, name: string): Promise<CoreV1Event[]> {
  const list = await env.core.listNamespacedEvent({ namespace: env.namespace });
  return list.items.filter((e) => e.involvedObject.name === name);
}

/** `kustodian controller` flags a test may change. */
export interface TestFlags {
  readonly noCrossNamespaceRefs?: boolean;
  readonly defaultServiceAccount?: string;
  /** Remote key service settings (emulator endpoints, deadlines, the workload identity gate). */
  readonly decryption?: KustomizationReconcilerOptions['decryption'];
}

function testContext(env: TestEnv, logs: string[], flags: TestFlags = {}): ControllerContext {
  return createControllerContext({
    kubeConfig: env.kubeConfig,
    logger: createLogger({ destination: { write: (line: string) => logs.push(line) } }),
    metrics: new RuntimeMetrics({ defaultMetrics: false }),
    settings: {
      concurrent: 4,
      storagePath: '',
      storageAddr: '',
      storageAdvAddr: '',
      noCrossNamespaceRefs: flags.noCrossNamespaceRefs ?? false,
      defaultServiceAccount: flags.defaultServiceAccount ?? '',
      minRetryDelayMs: 200,
      maxRetryDelayMs: 2_000,
      intervalJitter: 0,
      watchNamespace: env.namespace,
      watchLabelSelector: undefined,
      requeueDependencyMs: 500,
    },
  });
}

export interface RunningKustomizeController {
  readonly logs: string[];
  readonly counter: RequestCounter;
  stop(): Promise<void>;
}

/** Runs the Kustomization controller in this process through the runtime, on the test namespace. */
export async function startKustomizeController(
  env: TestEnv,
  flags: TestFlags = {},
): Promise<RunningKustomizeController> {
  const logs: string[] = [];
  const counter = new RequestCounter();
  const controller = createKustomizationController(testContext(env, logs, flags), {
    engine: buildEngine,
    factory: new KubeClientFactory(env.kubeConfig, { observer: counter.observe }),
    healthIntervalMs: 250,
    waitIntervalMs: 250,
    ...(flags.decryption ? { decryption: flags.decryption } : {}),
  });
  await controller.start();
  return {
    logs,
    counter,
    async stop() {
      await controller.stop(5_000);
    },
  };
}

/** Counts the status writes the reconciler asks for. */
class CountingObjectClient extends ObjectClient<KustomizationObject> {
  statusWrites = 0;

  override patchStatus(...args: Parameters<ObjectClient<KustomizationObject>['patchStatus']>) {
    this.statusWrites += 1;
    return super.patchStatus(...args);
  }
}

/** A reconciler outside the runtime, to run one reconcile at a time and count its requests. */
export function directReconciler(env: TestEnv): {
  /** Requests of the apply clients (objects, Secrets, ConfigMaps). */
  counter: RequestCounter;
  /** Status writes of the Kustomization. */
  statusWrites(): number;
  reconcileOnce(name: string): Promise<unknown>;
} {
  const logs: string[] = [];
  const context = testContext(env, logs);
  const counter = new RequestCounter();
  const resource = {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
    kind: 'Kustomization',
    namespaced: true,
  };
  const client = new CountingObjectClient(env.kubeConfig, resource);
  const reconciler = new KustomizationReconciler({
    client,
    sources: new ObjectClient(env.kubeConfig, {
      group: 'source.toolkit.fluxcd.io',
      version: 'v1',
      plural: 'gitrepositories',
      kind: 'GitRepository',
      namespaced: true,
    }),
    factory: new KubeClientFactory(env.kubeConfig, { observer: counter.observe }),
    engine: buildEngine,
    events: context.events('kustomize-controller'),
    noCrossNamespaceRefs: false,
    defaultServiceAccount: '',
    requeueDependencyMs: 500,
    healthIntervalMs: 250,
    waitIntervalMs: 250,
  });
  return {
    counter,
    statusWrites: () => client.statusWrites,
    async reconcileOnce(name) {
      const key = objectKey(env.namespace, name);
      const object = await client.get(key);
      if (!object) throw new Error(`Kustomization ${name} not found`);
      return reconciler.reconcile({
        key,
        object,
        signal: new AbortController().signal,
        logger: context.logger,
      });
    },
  };
}

/** A fresh age identity from the real age-keygen: its key file text and recipient. */
export async function ageKeygen(): Promise<{ keyFile: string; recipient: string }> {
  const result = await run('age-keygen', []);
  if (result.code !== 0) throw new Error(`age-keygen failed: ${result.stderr}`);
  const recipient = /public key: (age1[0-9a-z]+)/.exec(result.stdout + result.stderr)?.[1];
  if (!recipient) throw new Error('age-keygen printed no public key');
  return { keyFile: result.stdout, recipient };
}

/** Encrypts a YAML manifest with the real sops for an age recipient, Flux-style (data only). */
export function sopsEncrypt(plaintext: string, recipient: string): Promise<string> {
  return sopsEncryptWith(plaintext, ['--age', recipient]);
}

/** Encrypts a YAML manifest with the real sops, `keyFlags` naming the keys (`--pgp <fpr>`). */
export async function sopsEncryptWith(
  plaintext: string,
  keyFlags: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-ks-sops-'));
  try {
    const file = join(dir, 'secret.yaml');
    await writeFile(file, plaintext);
    const result = await run(
      'sops',
      ['--encrypt', ...keyFlags, '--encrypted-regex', '^(data|stringData)$', file],
      { cwd: dir, ...(env && { env }) },
    );
    if (result.code !== 0) throw new Error(`sops --encrypt failed: ${result.stderr}`);
    return result.stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function deleteKustomization(env: TestEnv, name: string): Promise<void> {
  await env.kubeConfig.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
    namespace: env.namespace,
    name,
  });
}

/** Asks for a reconcile now, as `flux reconcile` does. */
export async function requestReconcile(env: TestEnv, name: string): Promise<string> {
  const at = new Date().toISOString();
  await patchKustomization(env, name, {
    metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } },
  });
  return at;
}
