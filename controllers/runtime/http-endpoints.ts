import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Parses Flux's address flags: `:8080` (all interfaces), `127.0.0.1:9440`, `[::1]:8080`.
 * Port 0 picks a free port (tests).
 */
export function parseListenAddress(flag: string, address: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65_535) {
    throw new Error(`${flag}: "${address}" is not an address like ":8080" or "127.0.0.1:8080"`);
  }
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

export interface HttpEndpoint {
  /** `host:port` actually bound (the port is real even when 0 was asked for). */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export async function startHttpEndpoint(
  flag: string,
  address: string,
  handler: Handler,
): Promise<HttpEndpoint> {
  const { host, port } = parseListenAddress(flag, address);
  const server: Server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(error instanceof Error ? error.message : 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`${flag}: cannot listen on ${address}: ${error.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const boundPort = bound && typeof bound === 'object' ? bound.port : port;
  return {
    address: `${host ?? ''}:${boundPort}`,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsHandler(registry: Registry): Handler {
  return async (request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.statusCode = 404;
      response.end('not found\n');
      return;
    }
    const body = await registry.metrics();
    response.setHeader('Content-Type', registry.contentType);
    response.end(body);
  };
}

export interface HealthChecks {
  /** The process works (its event loop answers). */
  healthy(): boolean;
  /** The controller can serve: watches synced when leading, or standing by. */
  ready(): boolean;
}

/** `/healthz` and `/readyz`, as controller-runtime serves them: 200 `ok` or 500 with a reason. */
export function healthHandler(checks: HealthChecks): Handler {
  return (request, response) => {
    const path = request.url?.split('?')[0];
    const check =
      path === '/healthz' ? checks.healthy : path === '/readyz' ? checks.ready : undefined;
    if (!check) {
      response.statusCode = 404;
      response.end('not found\n');
      return;
    }
    const ok = check();
    response.statusCode = ok ? 200 : 500;
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.end(ok ? 'ok' : `${path === '/healthz' ? 'health' : 'readiness'} check failed`);
  };
}
