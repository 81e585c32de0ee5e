import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo } from '../git/git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from '../git/https-git-server.ts';
import { createTestPki } from '../git/tls-pki.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  condition,
  createGitRepository,
  customObjects,
  installGitRepositoryCrd,
  writeSecret,
} from './source-env.ts';

const cliMain = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const COUNT = 100;

let env: TestEnv;
let work: string;
let server: HttpsGitServer;
let child: ChildProcess | undefined;
let requestsAtStart = 0;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'src-scale' });
  await installGitRepositoryCrd(env);
  work = await mkdtemp(join(tmpdir(), 'kustodian-src-scale-'));
  const pki = await createTestPki(work);
  const repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'fleet',
  });
  await repo.commit({ 'apps/app.yaml': 'kind: ConfigMap\n' }, 'first');
  server = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  await writeSecret(env, 'ca', { 'ca.crt': pki.caCert });
  for (let i = 0; i < COUNT; i++) {
    await createGitRepository(env, `repo-${i}`, {
      url: `${server.baseUrl}${repo.httpPath}`,
      interval: '10m',
      secretRef: { name: 'ca' },
    });
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
  await server?.stop();
  await env?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function readyCount(): Promise<{ ready: number; versions: string[] }> {
  const list = (await customObjects(env).listNamespacedCustomObject({
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'gitrepositories',
    namespace: env.namespace,
  })) as { items: Parameters<typeof condition>[0][] };
  return {
    ready: list.items.filter((item) => condition(item, 'Ready')?.status === 'True').length,
    versions: list.items.map((item) => item?.metadata.resourceVersion ?? ''),
  };
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
}

describe('kustodian controller with 100 GitRepositories', () => {
  it('makes them all Ready, then sits idle without writes or fetches', async () => {
    const storage = join(work, 'storage');
    const started = Date.now();
    child = spawn(
      process.execPath,
      [
        cliMain,
        'controller',
        '--controllers=source',
        `--kubeconfig=${env.kubeconfigPath}`,
        `--watch-namespace=${env.namespace}`,
        `--storage-path=${storage}`,
        '--storage-addr=127.0.0.1:0',
        '--metrics-addr=127.0.0.1:0',
        '--health-addr=127.0.0.1:0',
        '--log-level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const pid = child.pid ?? 0;
    // Drained so a chatty stderr can never block the child; shown if it does not get Ready.
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    await waitFor(
      `all ${COUNT} GitRepositories to be Ready`,
      async () => ((await readyCount()).ready === COUNT ? true : undefined),
      { timeoutMs: 180_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; controller stderr: ${stderr}`);
    });
    const allReadyMs = Date.now() - started;
    // Idle: nothing is due for 10 minutes, so no status write and no git request may happen.
    const before = await readyCount();
    requestsAtStart = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const after = await readyCount();
    const rss = await rssKiB(pid);
    console.log(
      `${COUNT} GitRepositories Ready in ${allReadyMs} ms; idle RSS of the controller process: ${Math.round(rss / 1024)} MiB`,
    );
    expect(after.versions).toEqual(before.versions);
    expect(server.requests.length).toBe(requestsAtStart);
    expect(rss).toBeGreaterThan(0);
  }, 240_000);
});
