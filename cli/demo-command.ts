import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import type { Command } from 'commander';
import { applyStaged, KubeClientFactory } from '../controllers/apply/index.ts';
import { createLogger } from '../controllers/runtime/index.ts';
import { createTestPki, createTestRepo, startHttpsGitServer } from '../test/git/index.ts';
import { ensureTestbedBinaries, findFreePort, startControlPlane } from '../test/testbed/index.ts';
import { builtInControllers, type ControllerFlags, startController } from './controller-command.ts';
import { demoObjects, FLUX_NAMESPACE } from './demo/demo-objects.ts';
import { renderInventory } from './demo/demo-report.ts';
import { followReady, type ReadyState } from './demo/demo-status.ts';
import { commitDemoFleet } from './demo/fleet-repo.ts';

interface DemoOptions {
  once: boolean;
}

function progress(message: string): void {
  process.stderr.write(`» ${message}\n`);
}

function controllerFlags(
  kubeconfig: string,
  storagePath: string,
  storagePort: number,
): ControllerFlags {
  return {
    concurrent: '4',
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
    leaderElect: false,
    enableLeaderElection: false,
    leaderElectionLeaseDuration: '35s',
    leaderElectionRenewDeadline: '30s',
    leaderElectionRetryPeriod: '5s',
    leaderElectionReleaseOnCancel: true,
    leaderElectionId: 'kustodian-demo',
    storagePath,
    storageAddr: `127.0.0.1:${storagePort}`,
    storageAdvAddr: `127.0.0.1:${storagePort}`,
    crossNamespaceRefs: true,
    defaultServiceAccount: '',
    controllers: 'source,kustomize',
    kubeconfig,
    watchAllNamespaces: true,
    requeueDependency: '5s',
    logEncoding: 'json',
    minRetryDelay: '500ms',
    maxRetryDelay: '10s',
    intervalJitterPercentage: '5',
    gracefulShutdownTimeout: '10s',
    logLevel: 'info',
  };
}

const WATCHED = [
  { kind: 'GitRepository', name: 'fleet', namespace: FLUX_NAMESPACE },
  { kind: 'Kustomization', name: 'demo', namespace: FLUX_NAMESPACE },
] as const;

function isAllReady(states: ReadonlyMap<string, ReadyState>): boolean {
  return WATCHED.every((o) => states.get(`${o.kind}/${o.namespace}/${o.name}`)?.status === 'True');
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * The README's main job: a local GitOps loop with real parts. Builds (first run) and starts
 * etcd + kube-apiserver, serves a fleet repo with SOPS-encrypted files over HTTPS, creates the
 * Flux objects a user would, runs kustodian's controllers and prints what landed.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  progress(
    'preparing the local control plane (the first run builds it from source: about 6 minutes on 2 cores)',
  );
  const binDir = await ensureTestbedBinaries({
    withEmulators: false,
    onProgress: (line) => progress(line.replace(/^\[testbed\] /, '')),
  });
  const work = await mkdtemp(join(tmpdir(), 'kustodian-demo-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(work, { recursive: true, force: true })];
  try {
    const plane = await startControlPlane({ binDir, onProgress: progress });
    cleanups.unshift(() => plane.stop());
    progress(`kube-apiserver ready at ${plane.server}`);

    progress(
      'creating the fleet repo: a Deployment, an age-encrypted Secret, an encrypted patch and env file',
    );
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    await mkdir(join(work, 'pki'), { mode: 0o700 });
    const pki = await createTestPki(join(work, 'pki'));
    const repo = await createTestRepo({
      projectRoot: join(work, 'repos'),
      workRoot: join(work, 'work'),
      name: 'fleet',
    });
    const commit = await commitDemoFleet(repo, recipient);
    const gitPassword = randomBytes(12).toString('hex');
    const server = await startHttpsGitServer({
      projectRoot: join(work, 'repos'),
      pki,
      auth: { kind: 'basic', username: 'fleet', password: gitPassword },
    });
    cleanups.unshift(() => server.stop());
    progress(
      `serving ${server.baseUrl}${repo.httpPath} (HTTPS, basic auth), commit ${commit.slice(0, 12)}`,
    );

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfigPath);
    const client = new KubeClientFactory(kubeConfig).controllerClient();
    progress('applying the CRDs, the sops-age Secret, the GitRepository and the Kustomization');
    await applyStaged(
      client,
      await demoObjects({
        repoUrl: `${server.baseUrl}${repo.httpPath}`,
        gitUsername: 'fleet',
        gitPassword,
        gitCaCert: pki.caCert,
        ageIdentity: identity,
      }),
      { fieldManager: 'kustodian-demo' },
    );

    const logPath = join(work, 'controller.log');
    const logStream = createWriteStream(logPath);
    const controller = await startController(
      controllerFlags(plane.kubeconfigPath, join(work, 'storage'), await findFreePort()),
      builtInControllers(),
      { logger: createLogger({ destination: logStream }) },
    );
    cleanups.unshift(async () => {
      await controller.stop();
      logStream.end();
    });
    progress('kustodian controller running (source, kustomize); waiting for Ready');

    const abort = new AbortController();
    await followReady(client, WATCHED, isAllReady, {
      signal: abort.signal,
      timeoutMs: 120_000,
      print: progress,
    });
    process.stdout.write(
      await renderInventory(client, { name: 'demo', namespace: FLUX_NAMESPACE }),
    );
    const leaked = (await readFile(logPath, 'utf8')).includes(gitPassword);
    if (leaked)
      throw new Error('the controller log contains the git password: refusing to continue');

    if (!options.once) {
      process.stdout.write(
        [
          '',
          'kustodian keeps reconciling. Try, in another terminal:',
          `  export KUBECONFIG=${plane.kubeconfigPath}`,
          '  kubectl get gitrepositories,kustomizations -A',
          `  cd ${join(work, 'work', 'fleet')} && edit apps/demo/deployment.yaml && git commit -am change && git push`,
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      const stop = untilSignal();
      const abortOnStop = stop.then(() => abort.abort());
      await Promise.race([
        followReady(client, WATCHED, () => false, {
          signal: abort.signal,
          timeoutMs: Number.MAX_SAFE_INTEGER,
          print: progress,
        }),
        abortOnStop,
      ]);
    }
  } finally {
    progress('stopping the controller, the git server and the control plane');
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run a local GitOps loop: control plane, SOPS-encrypted fleet repo, kustodian controllers; print what landed',
    )
    .option('--once', 'exit once the fleet is applied instead of reconciling until Ctrl-C', false)
    .action(async (options: DemoOptions) => {
      await runDemo(options);
    });
}
