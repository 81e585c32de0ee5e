import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createGunzip } from 'node:zlib';
import type { TestPki } from './tls-pki.ts';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

/** How the server checks callers; `clientCert` asks for a certificate signed by the test CA. */
export type HttpAuthMode =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'clientCert' };

/** One request as the server saw it, for asserting what a client did (e.g. no download). */
export interface RecordedRequest {
  method: string;
  path: string;
  authorized: boolean;
}

export interface HttpsGitServer {
  /** `https://127.0.0.1:<port>`; repositories are at `${baseUrl}/<name>.git`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Changes the auth mode for later requests. */
  setAuth(auth: HttpAuthMode): void;
  /** Closes the listener and every open connection; the port stays reserved for `start`. */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop`. */
  start(): Promise<void>;
  isRunning(): boolean;
}

function authorizedUser(req: IncomingMessage, auth: HttpAuthMode): string | undefined {
  const header = req.headers.authorization ?? '';
  switch (auth.kind) {
    case 'none':
      return '';
    case 'basic': {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      return header === expected ? auth.username : undefined;
    }
    case 'bearer':
      return header === `Bearer ${auth.token}` ? 'bearer' : undefined;
    case 'clientCert': {
      const socket = req.socket as TLSSocket;
      return socket.authorized
        ? String(socket.getPeerCertificate().subject?.CN ?? 'client')
        : undefined;
    }
  }
}

/** Splits the CGI header block from the body; returns undefined until the blank line arrives. */
function splitCgiHeaders(buffer: Buffer): { headers: string; body: Buffer } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  if (end < 0) return undefined;
  const sepLength = end === crlf ? 4 : 2;
  return {
    headers: buffer.subarray(0, end).toString('latin1'),
    body: buffer.subarray(end + sepLength),
  };
}

/** Runs git-http-backend as a CGI program for one request, streaming both bodies. */
function runBackend(
  projectRoot: string,
  req: IncomingMessage,
  res: ServerResponse,
  user: string,
): void {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const child = spawn(HTTP_BACKEND, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: projectRoot,
      PATH_INFO: decodeURIComponent(url.pathname),
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      ...(user ? { REMOTE_USER: user } : {}),
      ...(typeof req.headers['git-protocol'] === 'string'
        ? { GIT_PROTOCOL: req.headers['git-protocol'] }
        : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // git sends large request bodies gzip-compressed; the backend gets them plain.
  const body = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
  body.on('error', () => child.kill());
  body.pipe(child.stdin);
  child.stdin.on('error', () => {});
  child.stderr.resume();
  let pending: Buffer = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const split = splitCgiHeaders(pending);
    if (!split) return;
    headersSent = true;
    let status = 200;
    for (const line of split.headers.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(split.body);
  });
  child.on('close', (code) => {
    if (!headersSent) {
      res.writeHead(500).end(`git-http-backend exited with ${code}`);
      return;
    }
    res.end();
  });
}

/**
 * A loopback HTTPS git server: Node terminates TLS and checks auth, Debian's git-http-backend
 * serves the bare repositories under `projectRoot`.
 */
export async function startHttpsGitServer(options: {
  projectRoot: string;
  pki: TestPki;
  auth?: HttpAuthMode;
}): Promise<HttpsGitServer> {
  let auth: HttpAuthMode = options.auth ?? { kind: 'none' };
  const requests: RecordedRequest[] = [];
  let server: Server | undefined;
  let port = 0;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const user = authorizedUser(req, auth);
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorized: user !== undefined,
    });
    if (user === undefined) {
      if (auth.kind === 'basic') res.setHeader('WWW-Authenticate', 'Basic realm="git"');
      if (auth.kind === 'bearer') res.setHeader('WWW-Authenticate', 'Bearer realm="git"');
      res.writeHead(auth.kind === 'clientCert' ? 403 : 401).end('unauthorized\n');
      req.resume();
      return;
    }
    runBackend(options.projectRoot, req, res, user);
  };

  const listen = async () => {
    const created = createServer(
      {
        cert: options.pki.serverCert,
        key: options.pki.serverKey,
        ca: options.pki.caCert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      handler,
    );
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => resolve());
    });
    const address = created.address();
    if (address === null || typeof address === 'string')
      throw new Error('HTTPS git server has no port');
    port = address.port;
    server = created;
  };
  await listen();

  return {
    get baseUrl() {
      return `https://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    setAuth(next) {
      auth = next;
    },
    isRunning: () => server !== undefined,
    async stop() {
      const current = server;
      server = undefined;
      if (!current) return;
      const closed = new Promise<void>((resolve) => current.close(() => resolve()));
      current.closeAllConnections();
      await closed;
    },
    async start() {
      if (!server) await listen();
    },
  };
}
