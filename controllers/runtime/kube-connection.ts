import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ExecCredentialConfig, KubeConfigData } from './kube-config.ts';
import { KubeConfigError, parseKubeConfig } from './kube-config.ts';

/**
 * What callers may hand the runtime as "the kubeconfig": our own connection, or any object
 * that exports kubeconfig JSON, such as `@kubernetes/client-node`'s `KubeConfig` (tests and
 * embedders build those). The runtime never loads client-node itself: it costs ~80 MiB.
 */
export type KubeAccess = KubeConnection | { exportConfig(): string };

export interface KubeHttpCall {
  readonly method: string;
  /** Path on the apiserver, e.g. `/api/v1/namespaces/x/configmaps/y`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  readonly body?: string | undefined;
  readonly contentType?: string | undefined;
  readonly accept?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** A long-lived answer (a watch): sent outside the bounded pool that calls share. */
  readonly stream?: boolean | undefined;
}

export interface KubeHttpResponse {
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly text: string;
}

/**
 * Connections that calls share. client-go multiplexes everything over one HTTP/2 connection;
 * unbounded HTTP/1.1 keep-alive would open one TLS connection per concurrent call, each with
 * its own buffers, for no gain once the apiserver is the bottleneck.
 */
const maxCallSockets = 16;

/** A token file is re-read at most this often, as client-go does for rotated SA tokens. */
const tokenFileTtlMs = 60_000;

/**
 * The one HTTP layer between the controller and an apiserver: a keep-alive agent holding the
 * TLS material, and auth headers computed per call (token files and exec tokens refresh).
 * Impersonating copies share the agents, so every identity reuses the same connections.
 */
export class KubeConnection {
  readonly server: URL;
  readonly #config: KubeConfigData;
  readonly #agents: Agents;
  readonly #credentials: Credentials;
  readonly #impersonate: string | undefined;

  constructor(
    config: KubeConfigData,
    shared?: { agents: Agents; credentials: Credentials; impersonate?: string },
  ) {
    if (config.authProvider !== undefined) {
      throw new KubeConfigError(
        `kubeconfig user auth-provider '${config.authProvider}' is not supported; use a token, a client certificate or an exec plugin`,
      );
    }
    this.server = new URL(config.server.replace(/\/$/, ''));
    this.#config = config;
    this.#agents = shared?.agents ?? {
      calls: createAgent(config, this.server, maxCallSockets),
      streams: createAgent(config, this.server, Number.POSITIVE_INFINITY),
    };
    this.#credentials = shared?.credentials ?? new Credentials(config);
    this.#impersonate = shared ? shared.impersonate : config.impersonateUser;
  }

  /** The same cluster and credentials, every request sent as `Impersonate-User: <user>`. */
  impersonating(user: string): KubeConnection {
    return new KubeConnection(this.#config, {
      agents: this.#agents,
      credentials: this.#credentials,
      impersonate: user,
    });
  }

  /** Sends one request and reads the whole answer, whatever its status. */
  async send(call: KubeHttpCall): Promise<KubeHttpResponse> {
    const response = await this.open(call);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return {
      statusCode: response.statusCode ?? 0,
      statusMessage: response.statusMessage ?? '',
      text: Buffer.concat(chunks).toString('utf8'),
    };
  }

  /** Sends one request and hands back the streaming answer (watches read it line by line). */
  async open(call: KubeHttpCall): Promise<IncomingMessage> {
    const url = new URL(this.server.pathname.replace(/\/$/, '') + call.path, this.server);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    const headers: Record<string, string> = {
      Accept: call.accept ?? 'application/json',
      ...(await this.#credentials.headers()),
    };
    if (this.#impersonate !== undefined) headers['Impersonate-User'] = this.#impersonate;
    if (call.body !== undefined) {
      headers['Content-Type'] = call.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(call.body));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: call.method,
        headers,
        agent: call.stream ? this.#agents.streams : this.#agents.calls,
        ...(call.signal && { signal: call.signal }),
      });
      req.once('response', (response: IncomingMessage) => {
        // A cut connection destroys the answer with an error; readers see it through their
        // own listeners (the body iterator, the watch), never as an uncaught exception.
        response.on('error', ignore);
        resolve(response);
      });
      // Not `once`: an aborted request can emit a second error after the first.
      req.on('error', reject);
      req.end(call.body);
    });
  }
}

function ignore(): void {}

interface Agents {
  readonly calls: HttpAgent;
  readonly streams: HttpAgent;
}

function createAgent(config: KubeConfigData, server: URL, maxSockets: number): HttpAgent {
  if (server.protocol === 'http:') return new HttpAgent({ keepAlive: true, maxSockets });
  return new HttpsAgent({
    keepAlive: true,
    maxSockets,
    ...(config.ca && { ca: config.ca }),
    ...(config.cert && { cert: config.cert }),
    ...(config.key && { key: config.key }),
    ...(config.tlsServerName && { servername: config.tlsServerName }),
    rejectUnauthorized: config.insecureSkipTlsVerify !== true,
  });
}

/** The Authorization header of a kubeconfig user, refreshed as its source requires. */
class Credentials {
  readonly #config: KubeConfigData;
  #cached: { value: string; expiresAt: number } | undefined;

  constructor(config: KubeConfigData) {
    this.#config = config;
  }

  async headers(): Promise<Record<string, string>> {
    const c = this.#config;
    if (c.token !== undefined) return { Authorization: `Bearer ${c.token}` };
    if (c.username !== undefined && c.password !== undefined) {
      const basic = Buffer.from(`${c.username}:${c.password}`).toString('base64');
      return { Authorization: `Basic ${basic}` };
    }
    if (c.tokenFile === undefined && c.exec === undefined) return {};
    if (this.#cached === undefined || Date.now() >= this.#cached.expiresAt) {
      this.#cached = c.exec ? await runExec(c.exec) : await readTokenFile(c.tokenFile ?? '');
    }
    return { Authorization: `Bearer ${this.#cached.value}` };
  }
}

async function readTokenFile(path: string): Promise<{ value: string; expiresAt: number }> {
  try {
    const value = (await readFile(path, 'utf8')).trim();
    return { value, expiresAt: Date.now() + tokenFileTtlMs };
  } catch {
    throw new KubeConfigError(`cannot read the kubeconfig token file '${path}'`);
  }
}

/** Runs an exec credential plugin; only bearer tokens are taken (no client certificates). */
function runExec(exec: ExecCredentialConfig): Promise<{ value: string; expiresAt: number }> {
  const input = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: {} });
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: input };
  for (const { name, value } of exec.env) env[name] = value;
  return new Promise((resolve, reject) => {
    execFile(exec.command, exec.args, { env, timeout: 60_000 }, (error, stdout) => {
      const failed = (why: string) =>
        reject(new KubeConfigError(`kubeconfig exec plugin '${exec.command}' ${why}`));
      if (error) return failed(`failed: exit ${String(error.code ?? error.message)}`);
      let status: { token?: unknown; expirationTimestamp?: unknown } | undefined;
      try {
        status = (JSON.parse(stdout) as { status?: typeof status }).status;
      } catch {
        return failed('printed no ExecCredential JSON');
      }
      if (typeof status?.token !== 'string') {
        return failed('gave no token (client certificates from exec plugins are not supported)');
      }
      const expires =
        typeof status.expirationTimestamp === 'string'
          ? Date.parse(status.expirationTimestamp) - 10_000
          : Number.POSITIVE_INFINITY;
      resolve({ value: status.token, expiresAt: expires });
    });
  });
}

const converted = new WeakMap<object, KubeConnection>();

/** The connection for what the caller handed in; one per exported kubeconfig object. */
export function kubeConnection(access: KubeAccess): KubeConnection {
  if (access instanceof KubeConnection) return access;
  const cached = converted.get(access);
  if (cached) return cached;
  const connection = new KubeConnection(
    parseKubeConfig(access.exportConfig(), { where: 'kubeconfig' }),
  );
  converted.set(access, connection);
  return connection;
}
