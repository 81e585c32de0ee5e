import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  type CoreV1Event,
  CustomObjectsApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { extract } from 'tar';
import { parse } from 'yaml';
import {
  type Artifact,
  type Condition,
  findCondition,
  type GitRepository,
  type GitRepositorySpec,
} from '../../api/index.ts';
import { type ControllerFlags, startController } from '../../cli/controller-command.ts';
import { ControllerRegistry, createLogger } from '../../controllers/runtime/index.ts';
import { sourceController } from '../../controllers/source/index.ts';
import { applyRawClusterObject, rawRequest } from '../api/raw-apply.ts';
import type { TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';

const crdFile = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  '..',
  'manifests/crds/source.toolkit.fluxcd.io_gitrepositories.yaml',
);

/** Installs the committed GitRepository CRD as raw JSON (typed clients drop its defaults). */
export async function installGitRepositoryCrd(env: TestEnv): Promise<void> {
  const crd = parse(readFileSync(crdFile, 'utf8')) as KubernetesObject;
  const name = crd.metadata?.name ?? '';
  await applyRawClusterObject(
    env.kubeConfig,
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    crd,
    'kustodian-source-test',
  );
  const extensions = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
  await waitFor(`CRD ${name} to be Established`, async () => {
    const read = await extensions.readCustomResourceDefinition({ name });
    const established = read.status?.conditions?.find((c) => c.type === 'Established');
    return established?.status === 'True' ? true : undefined;
  });
}

export interface RunningSourceController {
  readonly storagePath: string;
  /** Every JSON log line the controller wrote. */
  readonly logs: string[];
  stop(): Promise<void>;
}

/**
 * Runs `kustodian controller --controllers source` in this process, as the CLI does, watching
 * the test's namespace, with artifacts in a temp dir served on loopback.
 */
export async function startSourceController(env: TestEnv): Promise<RunningSourceController> {
  const storagePath = await mkdtemp(join(tmpdir(), 'kustodian-source-storage-'));
  const logs: string[] = [];
  const flags: ControllerFlags = {
    concurrent: '4',
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
    leaderElect: false,
    enableLeaderElection: false,
    leaderElectionLeaseDuration: '35s',
    leaderElectionRenewDeadline: '30s',
    leaderElectionRetryPeriod: '5s',
    leaderElectionReleaseOnCancel: true,
    leaderElectionId: 'kustodian-source-test',
    storagePath,
    storageAddr: '127.0.0.1:0',
    crossNamespaceRefs: true,
    defaultServiceAccount: '',
    controllers: 'source',
    kubeconfig: env.kubeconfigPath,
    watchNamespace: env.namespace,
    watchAllNamespaces: true,
    requeueDependency: '1s',
    logEncoding: 'json',
    minRetryDelay: '200ms',
    maxRetryDelay: '2s',
    intervalJitterPercentage: '5',
    gracefulShutdownTimeout: '5s',
    logLevel: 'info',
  };
  const registry = new ControllerRegistry();
  registry.register(sourceController);
  const logger = createLogger({ destination: { write: (line: string) => logs.push(line) } });
  const started = await startController(flags, registry, { logger });
  return {
    storagePath,
    logs,
    async stop() {
      await started.stop();
      await rm(storagePath, { recursive: true, force: true });
    },
  };
}

const group = 'source.toolkit.fluxcd.io';
const version = 'v1';
const plural = 'gitrepositories';

export function customObjects(env: TestEnv): CustomObjectsApi {
  return env.kubeConfig.makeApiClient(CustomObjectsApi);
}

export async function createGitRepository(
  env: TestEnv,
  name: string,
  spec: GitRepositorySpec,
  annotations?: Record<string, string>,
): Promise<void> {
  await customObjects(env).createNamespacedCustomObject({
    group,
    version,
    plural,
    namespace: env.namespace,
    body: {
      apiVersion: `${group}/${version}`,
      kind: 'GitRepository',
      metadata: { name, ...(annotations && { annotations }) },
      spec,
    },
  });
}

export async function readGitRepository(
  env: TestEnv,
  name: string,
): Promise<GitRepository | undefined> {
  try {
    return (await customObjects(env).getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: env.namespace,
      name,
    })) as GitRepository;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** Merge-patches a GitRepository (spec or metadata). */
export async function patchGitRepository(
  env: TestEnv,
  name: string,
  patch: Record<string, unknown>,
): Promise<void> {
  await rawRequest(env.kubeConfig, {
    method: 'PATCH',
    path: `/apis/${group}/${version}/namespaces/${env.namespace}/${plural}/${name}`,
    body: patch,
    contentType: 'application/merge-patch+json',
  });
}

export async function deleteGitRepository(env: TestEnv, name: string): Promise<void> {
  await customObjects(env).deleteNamespacedCustomObject({
    group,
    version,
    plural,
    namespace: env.namespace,
    name,
  });
}

export function condition(repo: GitRepository | undefined, type: string): Condition | undefined {
  return findCondition(repo?.status?.conditions, type);
}

/** Waits until the GitRepository satisfies `check`, returning it. */
export function waitForRepo(
  env: TestEnv,
  name: string,
  what: string,
  check: (repo: GitRepository) => boolean,
  timeoutMs = 30_000,
): Promise<GitRepository> {
  return waitFor(
    `GitRepository ${name}: ${what}`,
    async () => {
      const repo = await readGitRepository(env, name);
      return repo && check(repo) ? repo : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

export function isReadyAt(revision: string) {
  return (repo: GitRepository) =>
    condition(repo, 'Ready')?.status === 'True' &&
    repo.status?.artifact?.revision === revision &&
    repo.status.observedGeneration === repo.metadata.generation;
}

export async function writeSecret(
  env: TestEnv,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  const body = { metadata: { name }, stringData: data };
  try {
    await env.core.createNamespacedSecret({ namespace: env.namespace, body });
  } catch {
    await env.core.replaceNamespacedSecret({ name, namespace: env.namespace, body });
  }
}

export async function eventsFor(env: TestEnv, name: string): Promise<CoreV1Event[]> {
  const list = await env.core.listNamespacedEvent({ namespace: env.namespace });
  return list.items.filter((e) => e.involvedObject.name === name);
}

/** Downloads an artifact, checks its digest and size, and unpacks it; returns the files. */
export async function downloadArtifact(
  artifact: Artifact,
  work: string,
): Promise<{ digest: string; size: number; dir: string }> {
  const response = await fetch(artifact.url);
  if (!response.ok) throw new Error(`GET ${artifact.url}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const dir = await mkdtemp(join(work, 'artifact-'));
  const file = join(dir, 'artifact.tar.gz');
  await writeFile(file, bytes);
  const out = join(dir, 'files');
  await mkdir(out);
  await extract({ file, cwd: out, strict: true });
  return {
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    dir: out,
  };
}

export function readText(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), 'utf8');
}
