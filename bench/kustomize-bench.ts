/**
 * Benchmark of the kustomize engine against `kubectl kustomize` (kustomize v5.5.0) in the same
 * run: a small overlay (20 resources) and a large tree (a base of 2,000 resources of mixed kinds
 * under five overlay layers with patches, generators, replacements and name references).
 * Prints whole-process wall time and peak RSS as ratios, and the in-library build time.
 *
 *   node bench/kustomize-bench.ts [--runs 5]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, createDiskFs } from '../kustomize/index.ts';
import { buildCli } from './built-cli.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const repoRoot = join(import.meta.dirname, '..');

type Tree = Record<string, string>;

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  labels:
    app: app-${i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      serviceAccountName: sa-${i % 50}
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: settings
        env:
        - name: INDEX
          value: "${i}"
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: creds
              key: password
        resources:
          limits:
            cpu: 100m
            memory: 64Mi
      volumes:
      - name: config
        configMap:
          name: cm-${i}
`;
}

function service(i: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: app-${i}
  labels:
    app: app-${i}
spec:
  selector:
    app: app-${i}
  ports:
  - port: 80
    targetPort: 8080
`;
}

function configMap(i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-${i}
data:
  index: "${i}"
  description: configuration number ${i} of the benchmark
`;
}

function claim(i: number): string {
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-${i}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`;
}

function serviceAccount(i: number): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-${i}
`;
}

/** Mixed kinds, `count` resources in all, spread over files of 100 documents. */
function baseTree(count: number, accounts: number): Tree {
  const docs: string[] = [];
  for (let i = 0; docs.length < count; i++) {
    const kind = i % 4;
    if (kind === 0) docs.push(deployment(i));
    else if (kind === 1) docs.push(service(i - 1));
    else if (kind === 2) docs.push(configMap(i - 2));
    else docs.push(claim(i));
  }
  const files: Tree = {};
  const names: string[] = [];
  for (let f = 0; f * 100 < docs.length; f++) {
    const name = `resources-${f}.yaml`;
    names.push(name);
    files[`base/${name}`] = docs.slice(f * 100, f * 100 + 100).join('---\n');
  }
  for (let i = 0; i < accounts; i++) {
    names.push(`sa-${i}.yaml`);
    files[`base/sa-${i}.yaml`] = serviceAccount(i);
  }
  files['base/kustomization.yaml'] = `resources:
${names.map((n) => `- ${n}`).join('\n')}
configMapGenerator:
- name: settings
  literals:
  - LOG_LEVEL=info
secretGenerator:
- name: creds
  literals:
  - password=base
`;
  return files;
}

function overlay(level: number, below: string): string {
  return `namePrefix: l${level}-
commonLabels:
  layer: "${level}"
commonAnnotations:
  owner: team-${level}
resources:
- ../${below}
configMapGenerator:
- name: settings
  behavior: merge
  literals:
  - LEVEL=${level}
images:
- name: nginx
  newTag: "1.${25 + level}"
patches:
- target:
    kind: Deployment
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
      annotations:
        patched-by: layer-${level}
- target:
    kind: Service
    name: app-1.*
  patch: |-
    - op: add
      path: /metadata/labels/json-patched
      value: "layer-${level}"
replacements:
- source:
    kind: ConfigMap
    name: settings
    fieldPath: metadata.name
  targets:
  - select:
      kind: Deployment
      name: app-0
    fieldPaths:
    - metadata.annotations.settings-name
    options:
      create: true
`;
}

function largeTree(): Tree {
  const files = baseTree(2000, 50);
  let below = 'base';
  for (let level = 1; level <= 5; level++) {
    files[`l${level}/kustomization.yaml`] = overlay(level, below);
    below = `l${level}`;
  }
  return files;
}

function smallTree(): Tree {
  const files = baseTree(18, 0);
  files['overlay/kustomization.yaml'] =
    'namePrefix: dev-\nnamespace: dev\ncommonLabels:\n  env: dev\nresources:\n- ../base\n';
  return files;
}

async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

interface Measure {
  seconds: number;
  /** User + system CPU seconds (GNU time, 10 ms steps): steadier than wall on a busy machine. */
  cpu: number;
  peakKb: number;
  stdout: string;
}

/** Runs a command under GNU time; wall seconds and peak RSS (kB). */
function measure(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measure> {
  return new Promise((resolve, reject) => {
    // Wall time from here (GNU time's %e has 10 ms steps), CPU and peak RSS from GNU time.
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', command, ...args], { cwd, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = Buffer.concat(err).toString('utf8').trim().split('\n');
      const seconds = (performance.now() - start) / 1000;
      const [peakKb = 'NaN', user = 'NaN', system = 'NaN'] = (lines.at(-1) ?? '').split(' ');
      if (code !== 0) reject(new Error(`${command} failed: ${lines.join('\n')}`));
      else
        resolve({
          seconds,
          cpu: Number(user) + Number(system),
          peakKb: Number(peakKb),
          stdout: Buffer.concat(out).toString('utf8'),
        });
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function benchTree(label: string, root: string, dir: string): Promise<void> {
  const node = process.execPath;
  const entry = join(repoRoot, 'bench', 'kustomize-entry.ts');
  const kubectl: Measure[] = [];
  const ours: Measure[] = [];
  const engine: Measure[] = [];
  const modules: Measure[] = [];
  // The same build started from its modules (the bundle) instead of the startup snapshot.
  const noSnapshot = { ...process.env, KUSTODIAN_SNAPSHOT: 'off' };
  for (let i = 0; i < runs; i++) {
    kubectl.push(await measure('kubectl', ['kustomize', dir], root));
    ours.push(await measure(kustodian, ['kustomize', dir], root));
    modules.push(await measure(kustodian, ['kustomize', dir], root, noSnapshot));
    // The engine alone, from the sources, with the V8 flag that bin/kustodian.js passes.
    engine.push(await measure(node, ['--max-semi-space-size=4', entry, 'kustomize', dir], root));
  }
  const same = kubectl[0]?.stdout === ours[0]?.stdout;
  const fs = await createDiskFs(root);
  const library: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await build(fs, `/${dir}`);
    library.push((performance.now() - start) / 1000);
  }
  const kt = median(kubectl.map((m) => m.seconds));
  const us = median(ours.map((m) => m.seconds));
  const kRss = median(kubectl.map((m) => m.peakKb));
  const uRss = median(ours.map((m) => m.peakKb));
  const mt = median(modules.map((m) => m.seconds));
  const kCpu = median(kubectl.map((m) => m.cpu));
  const uCpu = median(ours.map((m) => m.cpu));
  const mCpu = median(modules.map((m) => m.cpu));
  const mRss = median(modules.map((m) => m.peakKb));
  const et = median(engine.map((m) => m.seconds));
  const eRss = median(engine.map((m) => m.peakKb));
  process.stdout.write(
    [
      `${label}: ${ours[0]?.stdout.split('\n---\n').length ?? 0} resources, output identical: ${same && engine[0]?.stdout === kubectl[0]?.stdout && modules[0]?.stdout === kubectl[0]?.stdout}`,
      `  wall    kubectl ${kt.toFixed(2)}s  kustodian ${us.toFixed(2)}s  speedup ×${(kt / us).toFixed(2)}`,
      `  peak    kubectl ${(kRss / 1024).toFixed(0)} MiB  kustodian ${(uRss / 1024).toFixed(0)} MiB  ratio ${(uRss / kRss).toFixed(2)}`,
      `  cpu     kubectl ${kCpu.toFixed(2)}s  kustodian ${uCpu.toFixed(2)}s  speedup ×${(kCpu / uCpu).toFixed(2)}`,
      `  no snapshot (KUSTODIAN_SNAPSHOT=off) ${mt.toFixed(2)}s (×${(kt / mt).toFixed(2)})  cpu ${mCpu.toFixed(2)}s (×${(kCpu / mCpu).toFixed(2)})  peak ${(mRss / 1024).toFixed(0)} MiB (ratio ${(mRss / kRss).toFixed(2)})`,
      `  engine-only process (--max-semi-space-size=4) ${et.toFixed(2)}s (×${(kt / et).toFixed(2)})  peak ${(eRss / 1024).toFixed(0)} MiB (ratio ${(eRss / kRss).toFixed(2)})`,
      `  library build ${median(library).toFixed(3)}s (median of ${runs}, in process)`,
      '',
    ].join('\n'),
  );
}

// Users run the built package (bin/kustodian.js → the bundle of dist/), not the sources.
const kustodian = buildCli('kustodian-kustomize-bench');
process.stdout.write(
  `load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}\n`,
);
const work = await mkdtemp(join(tmpdir(), 'kustodian-bench-'));
try {
  await writeTree(join(work, 'small'), smallTree());
  await writeTree(join(work, 'large'), largeTree());
  if (!process.env.ONLY_WRITE) {
    await benchTree('small overlay', join(work, 'small'), 'overlay');
    await benchTree('large tree', join(work, 'large'), 'l5');
  }
} finally {
  if (!process.env.KEEP) await rm(work, { recursive: true, force: true });
  else process.stdout.write(`kept ${work}\n`);
}
