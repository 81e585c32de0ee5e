// `kustodian controller` as a separate process, with its memory sampled from /proc, for
// kustomize-controller-bench.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

export interface ControllerProcess {
  readonly pid: number;
  readonly logPath: string;
  /** Largest VmRSS seen by sampling and the kernel's VmHWM, in KiB. */
  peak(): { sampledRssKiB: number; hwmKiB: number };
  hasExited(): boolean;
  stop(): Promise<void>;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The address the controller logged for `message` ("serving metrics", "serving health probes"). */
export function loggedAddress(logPath: string, message: string): string | undefined {
  const line = readFileSync(logPath, 'utf8')
    .split('\n')
    .find((l) => l.includes(`"${message}"`));
  const address = line ? (JSON.parse(line) as { address?: string }).address : undefined;
  if (address === undefined) return undefined;
  return address.startsWith('http') ? address : `http://${address}`;
}

/** The sum of the controller's own samples of metric `name`, those with `label` if given. */
export async function controllerMetric(logPath: string, name: string, label = ''): Promise<number> {
  const base = loggedAddress(logPath, 'serving metrics');
  if (!base) return Number.NaN;
  const text = await fetch(`${base}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (line.includes(label)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export function startControllerProcess(
  mainJs: string,
  args: readonly string[],
  logPath: string,
  env: NodeJS.ProcessEnv = process.env,
): ControllerProcess {
  const log = openSync(logPath, 'w');
  const child: ChildProcess = spawn(process.execPath, [mainJs, 'controller', ...args], {
    stdio: ['ignore', log, log],
    env,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the controller; see ${logPath}`);
  let exited = false;
  const done = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  let sampled = 0;
  let hwm = 0;
  const sample = () => {
    if (exited) return;
    sampled = Math.max(sampled, statusKiB(pid, 'VmRSS'));
    hwm = Math.max(hwm, statusKiB(pid, 'VmHWM'));
  };
  const timer = setInterval(sample, 100);
  return {
    pid,
    logPath,
    peak() {
      sample();
      return { sampledRssKiB: sampled, hwmKiB: hwm };
    },
    hasExited: () => exited,
    async stop() {
      sample();
      clearInterval(timer);
      if (exited) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(killed);
    },
  };
}
