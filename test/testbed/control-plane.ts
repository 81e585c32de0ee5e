import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.ts';
import { type ManagedProcess, startManagedProcess } from './managed-process.ts';
import { type ControlPlanePki, createControlPlanePki } from './pki.ts';

/** A running etcd + kube-apiserver pair on loopback. */
export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig for an admin in system:masters. */
  readonly kubeconfigPath: string;
  /** The run's scratch directory: PKI, etcd data, logs. Removed by stop(). */
  readonly dir: string;
  readonly pki: ControlPlanePki;
  readonly logs: { etcd: string; apiserver: string };
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  binDir: string;
  /** Seconds to wait for each part to become ready. */
  readyTimeoutSeconds?: number;
  onProgress?: (message: string) => void;
}

/** Error naming the part that failed to start and the log that says why. */
export class ControlPlaneStartError extends Error {
  readonly part: 'etcd' | 'kube-apiserver';
  readonly logPath: string;
  constructor(part: 'etcd' | 'kube-apiserver', logPath: string, detail: string) {
    super(`${part} did not start: ${detail}; log: ${logPath}`);
    this.name = 'ControlPlaneStartError';
    this.part = part;
    this.logPath = logPath;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Probe = () => Promise<boolean>;

async function waitUntilReady(
  proc: ManagedProcess,
  part: 'etcd' | 'kube-apiserver',
  probe: Probe,
  timeoutSeconds: number,
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      throw new ControlPlaneStartError(part, proc.logPath, 'the process exited early');
    }
    if (await probe().catch(() => false)) return;
    await sleep(150);
  }
  throw new ControlPlaneStartError(part, proc.logPath, `not ready within ${timeoutSeconds}s`);
}

function probeEtcd(port: number): Probe {
  return () =>
    new Promise((resolve) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/health', timeout: 1000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
}

function probeApiserver(port: number, pki: ControlPlanePki): Probe {
  const ca = readFileSync(pki.caCert);
  const cert = readFileSync(pki.adminCert);
  const key = readFileSync(pki.adminKey);
  return () =>
    new Promise((resolve) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, path: '/readyz', ca, cert, key, timeout: 2000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
}

function renderKubeconfig(server: string, pki: ControlPlanePki): string {
  const b64 = (path: string) => readFileSync(path).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: testbed',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    'contexts:',
    '- name: testbed',
    '  context: {cluster: testbed, user: admin}',
    'current-context: testbed',
    '',
  ].join('\n');
}

function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=testbed',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=testbed=${peer}`,
    // Tests never need durability; fsync dominates etcd latency on small machines.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

function apiserverArgs(pki: ControlPlanePki, etcdPort: number, port: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    // Without an advertise address the apiserver looks for a default route, which a sandbox may lack.
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${pki.dir}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // No controller-manager runs, so nothing would create the token this plugin waits for.
    '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=https://127.0.0.1:${port}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    // A loopback apiserver must not try to maintain the kubernetes Service's endpoints.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
}

async function startOnce(
  options: ControlPlaneOptions,
  dir: string,
  pki: ControlPlanePki,
): Promise<ControlPlane> {
  const timeout = options.readyTimeoutSeconds ?? 60;
  const [etcdPort, peerPort, apiPort] = [
    await findFreePort(),
    await findFreePort(),
    await findFreePort(),
  ];
  const logs = { etcd: join(dir, 'etcd.log'), apiserver: join(dir, 'kube-apiserver.log') };
  const etcd = startManagedProcess(
    'etcd',
    join(options.binDir, 'etcd'),
    etcdArgs(dir, etcdPort, peerPort),
    {
      logPath: logs.etcd,
    },
  );
  let apiserver: ManagedProcess | undefined;
  const stopProcesses = async () => {
    await apiserver?.stop();
    await etcd.stop();
  };
  try {
    options.onProgress?.('starting etcd');
    await waitUntilReady(etcd, 'etcd', probeEtcd(etcdPort), timeout);
    options.onProgress?.('starting kube-apiserver');
    apiserver = startManagedProcess(
      'kube-apiserver',
      join(options.binDir, 'kube-apiserver'),
      apiserverArgs(pki, etcdPort, apiPort),
      { logPath: logs.apiserver },
    );
    await waitUntilReady(apiserver, 'kube-apiserver', probeApiserver(apiPort, pki), timeout);
  } catch (error) {
    await stopProcesses();
    throw error;
  }
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, renderKubeconfig(server, pki), { mode: 0o600 });
  let stopped = false;
  return {
    server,
    kubeconfigPath,
    dir,
    pki,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopProcesses();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts etcd and kube-apiserver on free loopback ports, envtest-style: an admin client
 * certificate, RBAC, and a service-account signing key so that TokenRequest and impersonation
 * work. A port lost to another process between choosing and binding gets one retry.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-cp-'));
  try {
    options.onProgress?.('creating certificates');
    const pki = await createControlPlanePki(join(dir, 'pki'));
    try {
      return await startOnce(options, dir, pki);
    } catch (error) {
      if (!(error instanceof ControlPlaneStartError) || !isPortClash(error.logPath)) throw error;
      options.onProgress?.('port taken, retrying');
      return await startOnce(options, dir, pki);
    }
  } catch (error) {
    // Keep the logs of a failed start: the error names them.
    if (!(error instanceof ControlPlaneStartError)) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function isPortClash(logPath: string): boolean {
  try {
    return /address already in use/i.test(readFileSync(logPath, 'utf8'));
  } catch {
    return false;
  }
}
