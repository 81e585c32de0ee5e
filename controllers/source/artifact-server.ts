import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';

export interface ArtifactServer {
  /** `http://<host>:<port>` the server listens on. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

function contentType(path: string): string {
  if (path.endsWith('.tar.gz') || path.endsWith('.tgz')) return 'application/gzip';
  return 'application/octet-stream';
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const full = resolve(root, `.${pathname}`);
  // No traversal out of the storage, no temp or lock files, no directory listings.
  if (!full.startsWith(root + sep) || pathname.split('/').some((part) => part.startsWith('.'))) {
    res.writeHead(404).end();
    return;
  }
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentType(full),
    'Content-Length': String(info.size),
    'Last-Modified': info.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(full);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Serves the files under `root` read-only over HTTP, as source-controller's file server does. */
export async function startArtifactServer(options: {
  root: string;
  host?: string;
  port?: number;
}): Promise<ArtifactServer> {
  const root = resolve(options.root);
  const server = createServer((req, res) => {
    serve(root, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('artifact server has no port');
  return {
    address: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
