import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceType } from '../../controllers/runtime/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import { createWidget, createWidgetKind, readWidget } from './widget.ts';

const fixture = fileURLToPath(new URL('./fixtures/widget-controller.ts', import.meta.url));
const cliMain = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

let env: TestEnv;
let widgets: ResourceType;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'rt-proc' });
  widgets = await createWidgetKind(env.kubeConfig, `${env.namespace}.kustodian.test`);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await env?.stop();
});

interface RunningController {
  child: ChildProcess;
  pid: number;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  stderr: string[];
}

/** Starts `kustodian controller` (with a Widget controller) as a process of its own. */
function startProcess(entry = fixture, extraArgs: string[] = []): RunningController {
  const child = spawn(
    process.execPath,
    [
      entry,
      'controller',
      ...extraArgs,
      `--kubeconfig=${env.kubeconfigPath}`,
      '--leader-elect',
      `--leader-election-namespace=${env.namespace}`,
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=200ms',
      '--metrics-addr=127.0.0.1:0',
      '--health-addr=127.0.0.1:0',
      `--watch-namespace=${env.namespace}`,
      '--graceful-shutdown-timeout=10s',
    ],
    { env: { ...process.env, WIDGET_GROUP: widgets.group }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString('utf8'));
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
  });
  if (child.pid === undefined) throw new Error('could not start the controller process');
  return { child, pid: child.pid, lines, exited, stderr };
}

function logged(controller: RunningController, msg: string): Record<string, unknown> | undefined {
  return controller.lines.find((line) => line.msg === msg);
}

async function reconciledBy(name: string): Promise<string | undefined> {
  const widget = await readWidget(env.kubeConfig, widgets, env.namespace, name);
  return (widget.status as { note?: string } | undefined)?.note;
}

describe('two controller processes', () => {
  it('one leads; on SIGTERM it finishes in-flight work, releases the lease and the other takes over', async () => {
    const first = startProcess();
    await waitFor('the first process to lead', async () =>
      logged(first, 'successfully acquired lease'),
    );
    const second = startProcess();
    await waitFor('the second process to wait for the lease', async () =>
      logged(second, 'waiting for the lease'),
    );

    await createWidget(env.kubeConfig, widgets, env.namespace, 'one');
    expect(await waitFor('one reconciled', () => reconciledBy('one'))).toBe(
      `reconciled by ${first.pid}`,
    );
    expect(logged(second, 'starting controllers')).toBeUndefined();

    // The leader serves metrics with the reconcile histogram, and its probes answer.
    const address = String(logged(first, 'serving metrics')?.address);
    const metrics = await fetch(`http://${address}/metrics`).then((r) => r.text());
    expect(metrics).toContain(
      `gotk_reconcile_duration_seconds_count{kind="Widget",name="one",namespace="${env.namespace}"} 1`,
    );
    const health = String(logged(first, 'serving health probes')?.address);
    expect((await fetch(`http://${health}/readyz`)).status).toBe(200);
    expect((await fetch(`http://${health}/healthz`)).status).toBe(200);
    // Logs are JSON with the object's namespace and name.
    expect(first.lines.find((l) => l.msg === 'reconciled' && l.name === 'one')).toMatchObject({
      level: 'info',
      namespace: env.namespace,
    });

    // A slow reconcile is in flight when SIGTERM arrives: it completes before the exit.
    await createWidget(env.kubeConfig, widgets, env.namespace, 'slow', 99);
    await waitFor('the slow reconcile to start', async () =>
      logged(first, 'slow reconcile started'),
    );
    first.child.kill('SIGTERM');
    const terminatedAt = Date.now();
    expect(await first.exited).toBe(0);
    expect(await reconciledBy('slow')).toBe(`reconciled by ${first.pid}`);
    expect(logged(first, 'released lease')).toBeDefined();

    await waitFor('the second process to lead', async () => logged(second, 'starting controllers'));
    // Released, not expired: the hand-over beats the 4 s lease duration.
    expect(Date.now() - terminatedAt).toBeLessThan(4_000);
    await createWidget(env.kubeConfig, widgets, env.namespace, 'two');
    expect(await waitFor('two reconciled', () => reconciledBy('two'))).toBe(
      `reconciled by ${second.pid}`,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('the real kustodian binary', () => {
  it('runs with no controllers selected: serves probes, and exits 0 on SIGTERM', async () => {
    const running = startProcess(cliMain, ['--controllers=']);
    await waitFor('the runtime to start', async () =>
      logged(running, 'no controllers selected or registered; serving probes and metrics only'),
    );
    const health = String(
      (await waitFor('the probes', async () => logged(running, 'serving health probes'))).address,
    );
    expect((await fetch(`http://${health}/healthz`)).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(logged(running, 'stopped')).toBeDefined();
  });

  it('refuses an unknown --controllers name with the list of known ones', async () => {
    const running = startProcess(cliMain, ['--controllers=helm']);
    expect(await running.exited).toBe(1);
    expect(running.stderr.join('')).toContain(
      'kustodian: --controllers: unknown controller helm; known:',
    );
  });
});
