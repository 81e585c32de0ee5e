// Kustomization controller at scale against Flux's published figures (issue 7, "Benchmark").
// For each N: a fresh etcd + kube-apiserver, one GitRepository over HTTPS and N Kustomizations
// of 4 objects each created at once; time until all are Ready, the controller's peak RSS (a
// separate `kustodian controller` process), the write requests of a no-op reconcile of all N,
// and `kubectl apply --server-side` of the same objects. Run: `npx node bench/kustomize-controller-bench.ts`
// (BENCH_SIZES=100,500 and BENCH_TIMEOUT_S=1500 by default).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestPki, createTestRepo, startHttpsGitServer } from '../test/git/index.ts';
import {
  type ControlPlane,
  ensureTestbedBinaries,
  findFreePort,
  startControlPlane,
} from '../test/testbed/index.ts';
import {
  createNamespaces,
  installCrds,
  isReady,
  type KsStatus,
  listKustomizations,
} from './kustomize-controller-cluster.ts';
import {
  appName,
  fleetFiles,
  gitRepository,
  KUSTOMIZATION_NAMESPACE,
  kubectlManifest,
  kustomization,
} from './kustomize-controller-fleet.ts';
import {
  countDelta,
  Kube,
  mapLimit,
  type RequestCounts,
  scrapeRequestCounts,
} from './kustomize-controller-kube.ts';
import {
  type ControllerProcess,
  controllerMetric,
  loggedAddress,
  startControllerProcess,
} from './kustomize-controller-process.ts';
import { type BenchResult, printReport } from './kustomize-controller-report.ts';

const SIZES = (process.env.BENCH_SIZES ?? '100,500').split(',').map(Number);
const BUDGET_MS = Number(process.env.BENCH_TIMEOUT_S ?? 1500) * 1000;
const CONCURRENT = 20;
const root = join(import.meta.dirname, '..');

/**
 * The V8 flags users run the controller with: those bin/kustodian.js starts Node with, from
 * its shell prologue (`exec node <flags> "$here"`) or its shebang line.
 */
function launcherNodeFlags(): string {
  const launcher = readFileSync(join(root, 'bin', 'kustodian.js'), 'utf8');
  const prologue = /^exec node (.*?) "\$here"/m.exec(launcher)?.[1];
  const shebang = /^#!.*\bnode\s+(.*)$/.exec(launcher.split('\n')[0] ?? '')?.[1];
  return (prologue ?? shebang ?? '').trim();
}
// Node flags for the controller: the launcher's, then any to try from the environment
// (`BENCH_CONTROLLER_NODE_OPTIONS=--max-old-space-size=96`); NODE_OPTIONS takes V8 heap flags.
const CONTROLLER_NODE_OPTIONS = [launcherNodeFlags(), process.env.BENCH_CONTROLLER_NODE_OPTIONS]
  .filter(Boolean)
  .join(' ');
const controllerEnv: NodeJS.ProcessEnv = CONTROLLER_NODE_OPTIONS
  ? { ...process.env, NODE_OPTIONS: CONTROLLER_NODE_OPTIONS }
  : process.env;
const work = mkdtempSync(join(tmpdir(), 'kustodian-ks-bench-'));
const cleanups: (() => Promise<void> | void)[] = [
  () => rmSync(work, { recursive: true, force: true }),
];

async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    await Promise.resolve(step?.()).catch((error: unknown) =>
      console.error(`cleanup: ${String(error)}`),
    );
  }
}

function abortWith(code: number, why: string): void {
  console.error(`\n${why}; stopping everything`);
  void cleanUp().finally(() => process.exit(code));
}
const budget = setTimeout(
  () => abortWith(2, `time budget of ${BUDGET_MS / 1000}s spent`),
  BUDGET_MS,
);
process.once('SIGINT', () => abortWith(130, 'interrupted'));
process.once('SIGTERM', () => abortWith(143, 'terminated'));

const log = (message: string) =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
const mib = (kib: number) => kib / 1024;

/** Users run compiled JavaScript (bin/kustodian.js → dist/): build a fresh copy of it. */
function buildController(): string {
  const outDir = join(root, 'node_modules', '.cache', 'kustodian-ks-bench');
  rmSync(outDir, { recursive: true, force: true });
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: root,
    encoding: 'utf8',
  });
  // tsc emits despite type errors elsewhere in the shared tree; say so, but go on.
  if (built.status !== 0)
    log(`tsc reported errors (emitted anyway): ${built.stdout.split('\n')[0]}`);
  return join(outDir, 'cli', 'main.js');
}

/** Waits until the controller serves /readyz, so that the clock measures reconciling, not booting. */
async function waitControllerReady(controller: ControllerProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (controller.hasExited()) throw new Error(`controller exited; see ${controller.logPath}`);
    const address = loggedAddress(controller.logPath, 'serving health probes');
    if (address) {
      const ok = await fetch(`${address}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
    }
    await sleep(200);
  }
  throw new Error(`controller not ready within 60s; see ${controller.logPath}`);
}

/** Polls until `done` holds for all N, printing progress; returns seconds, or NaN on timeout. */
async function waitAll(
  kube: Kube,
  n: number,
  what: string,
  done: (ks: KsStatus) => boolean,
  controller: ControllerProcess,
  timeoutMs: number,
  start: number,
): Promise<number> {
  let lastReport = 0;
  let items: KsStatus[] = [];
  while (performance.now() - start < timeoutMs) {
    items = await listKustomizations(kube);
    const count = items.filter(done).length;
    if (count === n) return (performance.now() - start) / 1000;
    if (controller.hasExited()) break;
    if (performance.now() - lastReport > 5_000) {
      lastReport = performance.now();
      log(`  ${what}: ${count}/${n}, controller ${await memoryLine(controller)}, load ${load()}`);
    }
    await sleep(250);
  }
  const reasons = new Map<string, number>();
  for (const ks of items.filter((k) => !done(k))) {
    const ready = ks.status?.conditions?.find((c) => c.type === 'Ready');
    const key = `${ready?.status ?? 'no status'} ${ready?.reason ?? ''}: ${ready?.message?.slice(0, 160) ?? ''}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  log(
    `  ${what}: NOT all done (${controller.hasExited() ? 'controller exited' : 'timeout'}); pending by Ready condition:`,
  );
  for (const [key, count] of reasons) log(`    ${count} × ${key}`);
  return Number.NaN;
}

/** Peak RSS so far and the V8 heap and external memory now, from the controller's metrics. */
async function memoryLine(controller: ControllerProcess): Promise<string> {
  const { sampledRssKiB } = controller.peak();
  const metric = async (name: string) =>
    mib((await controllerMetric(controller.logPath, name)) / 1024).toFixed(0);
  return `peak RSS ${mib(sampledRssKiB).toFixed(0)} MiB (heap used ${await metric('nodejs_heap_size_used_bytes')}, heap total ${await metric('nodejs_heap_size_total_bytes')}, external ${await metric('nodejs_external_memory_bytes')} MiB)`;
}

/**
 * The no-op reconcile as the interval makes it: a restarted controller reconciles every object
 * once at an unchanged generation and revision, without a reconcile request to record.
 */
async function restartNoop(
  kube: Kube,
  n: number,
  mainJs: string,
  args: readonly string[],
): Promise<{ seconds: number; writes: RequestCounts }> {
  const before = await scrapeRequestCounts(kube);
  const controller = startControllerProcess(
    mainJs,
    args,
    join(tmpdir(), `kustodian-ks-bench-controller-${n}-restart.log`),
    controllerEnv,
  );
  const stop = () => controller.stop();
  cleanups.push(stop);
  try {
    const start = performance.now();
    await waitControllerReady(controller);
    let seconds = Number.NaN;
    while (performance.now() - start < 300_000 && !controller.hasExited()) {
      const done = await controllerMetric(
        controller.logPath,
        'controller_runtime_reconcile_total',
        'controller="kustomization"',
      );
      if (done >= n) {
        seconds = (performance.now() - start) / 1000;
        break;
      }
      await sleep(250);
    }
    await sleep(2_000);
    return { seconds, writes: countDelta(before, await scrapeRequestCounts(kube)) };
  } finally {
    await stop();
    cleanups.splice(cleanups.indexOf(stop), 1);
  }
}

function kubectlApply(cp: ControlPlane, file: string): number {
  const start = performance.now();
  const result = spawnSync(
    'kubectl',
    [
      '--kubeconfig',
      cp.kubeconfigPath,
      'apply',
      '--server-side',
      '--field-manager=kubectl-bench',
      '-f',
      file,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`kubectl apply failed: ${result.stderr.slice(0, 500)}`);
  return seconds;
}

async function benchSize(n: number, binDir: string, mainJs: string): Promise<BenchResult> {
  log(`N=${n}: starting a fresh control plane (load ${load()})`);
  const cp = await startControlPlane({ binDir });
  cleanups.push(() => cp.stop());
  const kube = new Kube(cp.kubeconfigPath);
  cleanups.push(() => kube.close());
  await installCrds(kube);
  const targets = Array.from({ length: n }, (_, i) => appName(i));
  await createNamespaces(kube, [
    KUSTOMIZATION_NAMESPACE,
    ...targets,
    ...targets.map((t) => `kubectl-${t}`),
  ]);

  const gitDir = join(work, `git-${n}`);
  mkdirSync(gitDir, { recursive: true });
  const pki = await createTestPki(gitDir);
  const repo = await createTestRepo({
    projectRoot: join(gitDir, 'repos'),
    workRoot: join(gitDir, 'work'),
    name: `fleet-${n}`,
  });
  await repo.commit(fleetFiles(n), `fleet of ${n}`);
  const server = await startHttpsGitServer({ projectRoot: join(gitDir, 'repos'), pki });
  cleanups.push(() => server.stop());
  await kube.json({
    method: 'POST',
    path: `/api/v1/namespaces/${KUSTOMIZATION_NAMESPACE}/secrets`,
    body: { metadata: { name: 'git-ca' }, stringData: { 'ca.crt': pki.caCert } },
  });

  const port = await findFreePort();
  const args = [
    '--kubeconfig',
    cp.kubeconfigPath,
    '--controllers',
    'source,kustomize',
    `--concurrent=${CONCURRENT}`,
    '--storage-path',
    join(work, `storage-${n}`),
    '--storage-addr',
    `127.0.0.1:${port}`,
    '--storage-adv-addr',
    `127.0.0.1:${port}`,
    '--metrics-addr',
    '127.0.0.1:0',
    '--health-addr',
    '127.0.0.1:0',
  ];
  // Outside the work dir, so that it outlives the run for a look at failures.
  const controller = startControllerProcess(
    mainJs,
    args,
    join(tmpdir(), `kustodian-ks-bench-controller-${n}.log`),
    controllerEnv,
  );
  const stopController = () => controller.stop();
  cleanups.push(stopController);
  await waitControllerReady(controller);
  // Node, the loaded modules and the informers' caches, before any Kustomization exists.
  const idleKiB = controller.peak().hwmKiB;
  log(
    `N=${n}: controller pid ${controller.pid} ready; creating 1 GitRepository and ${n} Kustomizations`,
  );

  const ksPath = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${KUSTOMIZATION_NAMESPACE}/kustomizations`;
  const start = performance.now();
  await kube.json({
    method: 'POST',
    path: `/apis/source.toolkit.fluxcd.io/v1/namespaces/${KUSTOMIZATION_NAMESPACE}/gitrepositories`,
    body: gitRepository(`${server.baseUrl}${repo.httpPath}`),
  });
  await mapLimit(targets, 20, (name) =>
    kube.json({ method: 'POST', path: ksPath, body: kustomization(Number(name.slice(4)), name) }),
  );
  const readySeconds = await waitAll(
    kube,
    n,
    'Ready',
    isReady,
    controller,
    Math.max(300_000, n * 1200),
    start,
  );
  const loadDuring = load();
  const readyPeakKiB = controller.peak().hwmKiB;
  log(`N=${n}: all Ready in ${readySeconds.toFixed(1)} s (load ${loadDuring})`);

  let noopSeconds = Number.NaN;
  let noopWrites: RequestCounts = new Map();
  if (!Number.isNaN(readySeconds)) {
    // Let follow-up events (the controller's own status writes) settle before counting.
    await sleep(3_000);
    const before = await scrapeRequestCounts(kube);
    const at = new Date().toISOString();
    const noopStart = performance.now();
    await mapLimit(targets, 20, (name) =>
      kube.json({
        method: 'PATCH',
        path: `${ksPath}/${name}`,
        contentType: 'application/merge-patch+json',
        body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } },
      }),
    );
    noopSeconds = await waitAll(
      kube,
      n,
      'no-op reconcile handled',
      (ks) => ks.status?.lastHandledReconcileAt === at && isReady(ks),
      controller,
      300_000,
      noopStart,
    );
    await sleep(2_000);
    noopWrites = countDelta(before, await scrapeRequestCounts(kube));
    // Our own requestedAt patches are n of the PATCHes of kustomizations.
    const patches = (noopWrites.get('PATCH kustomizations') ?? 0) - n;
    if (patches > 0) noopWrites.set('PATCH kustomizations', patches);
    else noopWrites.delete('PATCH kustomizations');
  }
  const { sampledRssKiB, hwmKiB } = controller.peak();
  await stopController();
  cleanups.splice(cleanups.indexOf(stopController), 1);
  const restart = Number.isNaN(readySeconds)
    ? { seconds: Number.NaN, writes: new Map() as RequestCounts }
    : await restartNoop(kube, n, mainJs, args);

  log(`N=${n}: kubectl apply --server-side of the same ${4 * n} objects`);
  const manifest = join(work, `kubectl-${n}.yaml`);
  writeFileSync(
    manifest,
    kubectlManifest(n, (i) => `kubectl-${appName(i)}`),
  );
  const kubectlSeconds = kubectlApply(cp, manifest);
  const before = await scrapeRequestCounts(kube);
  const kubectlNoopSeconds = kubectlApply(cp, manifest);
  await sleep(1_000);
  const kubectlNoopWrites = countDelta(before, await scrapeRequestCounts(kube));

  await cleanUpRun();
  return {
    n,
    readySeconds,
    idleKiB,
    peakKiB: sampledRssKiB,
    readyPeakKiB,
    hwmKiB,
    noopSeconds,
    noopWrites,
    restartSeconds: restart.seconds,
    restartWrites: restart.writes,
    kubectlSeconds,
    kubectlNoopSeconds,
    kubectlNoopWrites,
    loadDuring,
  };
}

/** Stops what this run started (everything above the work dir), newest first. */
async function cleanUpRun(): Promise<void> {
  while (cleanups.length > 1) {
    const step = cleanups.pop();
    await Promise.resolve(step?.()).catch((error: unknown) =>
      console.error(`cleanup: ${String(error)}`),
    );
  }
}

try {
  log(`load average ${load()}; building the controller`);
  const mainJs = buildController();
  const binDir = await ensureTestbedBinaries();
  const results: BenchResult[] = [];
  for (const n of SIZES) results.push(await benchSize(n, binDir, mainJs));
  printReport(results, { load: load(), controllerNodeOptions: CONTROLLER_NODE_OPTIONS });
} catch (error) {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(budget);
  await cleanUp();
}
