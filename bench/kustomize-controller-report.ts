// The report of kustomize-controller-bench.ts: figures beside Flux's published ones.
import type { RequestCounts } from './kustomize-controller-kube.ts';

// Flux 2.9 on 2 CPUs with --concurrent=20, as published for this shape.
const FLUX: Record<number, { seconds: number; mib: number }> = {
  100: { seconds: 26, mib: 134 },
  500: { seconds: 120, mib: 183 },
};

const mib = (kib: number) => kib / 1024;

export interface BenchResult {
  n: number;
  readySeconds: number;
  /** VmHWM of the started controller before the first Kustomization. */
  idleKiB: number;
  peakKiB: number;
  /** VmHWM when all were Ready, before the no-op reconcile. */
  readyPeakKiB: number;
  hwmKiB: number;
  noopSeconds: number;
  noopWrites: RequestCounts;
  restartSeconds: number;
  restartWrites: RequestCounts;
  kubectlSeconds: number;
  kubectlNoopSeconds: number;
  kubectlNoopWrites: RequestCounts;
  loadDuring: string;
}

const IGNORED = /\b(leases|events)\b/;

/** Object writes, Kustomization/GitRepository status writes and dry runs, each with detail. */
function writesLine(writes: RequestCounts): string {
  const counted = [...writes].filter(([key]) => !IGNORED.test(key));
  const sum = (rows: typeof counted) => rows.reduce((s, [, v]) => s + v, 0);
  const dryRuns = counted.filter(([key]) => key.includes('dry-run'));
  const status = counted.filter(([key]) => !key.includes('dry-run') && key.includes('/status'));
  const objects = counted.filter(([key]) => !key.includes('dry-run') && !key.includes('/status'));
  const detail = counted.map(([key, v]) => `${key}: ${v}`).join(', ');
  return `${sum(objects)} object writes, ${sum(status)} status writes, ${sum(dryRuns)} dry runs${detail ? ` (${detail})` : ''}`;
}

/** Prints the table against Flux's figures, the no-op reconcile counts and the method. */
export function printReport(
  results: readonly BenchResult[],
  run: { load: string; controllerNodeOptions: string },
): void {
  const fmt = (v: number, digits = 1) => (Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
  console.log(
    '\nKustomization controller benchmark (2 CPUs shared; Flux 2.9 figures as published)',
  );
  console.log(`load average at the end: ${run.load}`);
  if (run.controllerNodeOptions)
    console.log(`controller NODE_OPTIONS: ${run.controllerNodeOptions}`);
  const row = (cells: readonly string[]) =>
    console.log(cells.map((c, k) => (k === cells.length - 1 ? c : c.padStart(9))).join(' | '));
  row([
    'N',
    'ready s',
    'Flux s',
    'ratio',
    'idle MiB⁰',
    'peak MiB¹',
    'peak MiB²',
    'Flux MiB',
    'ratio²',
    'kubectl s³',
    'load average while ready',
  ]);
  for (const r of results) {
    const flux = FLUX[r.n];
    const peak = mib(Math.max(r.peakKiB, r.hwmKiB));
    row([
      String(r.n),
      fmt(r.readySeconds),
      String(flux?.seconds ?? 'n/a'),
      flux ? fmt(r.readySeconds / flux.seconds, 2) : 'n/a',
      fmt(mib(r.idleKiB), 0),
      fmt(mib(r.readyPeakKiB), 0),
      fmt(peak, 0),
      String(flux?.mib ?? 'n/a'),
      flux ? fmt(peak / flux.mib, 2) : 'n/a',
      fmt(r.kubectlSeconds),
      r.loadDuring,
    ]);
  }
  console.log(
    '⁰ controller started, before any object; ¹ until all Ready; ² whole run, no-op reconcile included; ³ kubectl apply --server-side of the same 4×N objects, one invocation',
  );
  console.log('\nNo-op reconcile of all N at the applied revision:');
  for (const r of results) {
    console.log(
      `  N=${r.n}: requestedAt on each, all handled in ${fmt(r.noopSeconds)} s; ${writesLine(r.noopWrites)}`,
    );
    console.log(
      `  N=${r.n}: controller restarted, all reconciled in ${fmt(r.restartSeconds)} s (from process start); ${writesLine(r.restartWrites)}`,
    );
    console.log(
      `  N=${r.n}: kubectl apply --server-side again: ${fmt(r.kubectlNoopSeconds)} s; ${writesLine(r.kubectlNoopWrites)}`,
    );
  }
  console.log(
    [
      '',
      'Method: ready = from creating the GitRepository and N Kustomizations (20 at a time) until',
      'every Kustomization has Ready=True at its generation (polled every 250 ms). Peak = the',
      "controller process's VmHWM (and VmRSS sampled every 100 ms) from /proc. Writes = deltas",
      "of the apiserver's apiserver_request_total for POST/PUT/PATCH/APPLY/DELETE, leases and",
      'events excluded, minus our own N requestedAt PATCHes. Dry runs (dry_run="All") change',
      'nothing; server-side APPLY requests count even when the apiserver finds nothing to change.',
      'A requestedAt reconcile of an unchanged revision writes one status patch per',
      'Kustomization (lastHandledReconcileAt), no progress conditions and no objects.',
      'A restarted controller reconciles every Kustomization as the interval tick would, with no',
      'request to record: counted from before its start until its reconcile_total reaches N.',
      "Services are headless (the test bed's service CIDR is a /24).",
    ].join('\n'),
  );
}
