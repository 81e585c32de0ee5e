import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConnection, kubeConnection } from './kube-connection.ts';
import { ApiWatch, WatchHttpError } from './kube-watch.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers every request with what it received. */
const echo: Handler = (req, res, body) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
};

describe('KubeConnection', () => {
  it('sends the path, query, body and bearer token, and impersonates on request', async () => {
    const server = await serve(echo);
    const connection = new KubeConnection({ server, token: 't0k' });
    const response = await connection.impersonating('system:serviceaccount:a:b').send({
      method: 'PATCH',
      path: '/api/v1/namespaces/a/configmaps/b',
      query: { fieldManager: 'kustomize-controller', dryRun: undefined },
      body: '{"x":1}',
      contentType: 'application/merge-patch+json',
    });
    const seen = JSON.parse(response.text) as { url: string; headers: Record<string, string> };
    expect(response.statusCode).toBe(200);
    expect(seen).toMatchObject({
      method: 'PATCH',
      url: '/api/v1/namespaces/a/configmaps/b?fieldManager=kustomize-controller',
      body: '{"x":1}',
      headers: {
        authorization: 'Bearer t0k',
        'impersonate-user': 'system:serviceaccount:a:b',
        'content-type': 'application/merge-patch+json',
      },
    });
  });

  it('reads a token file and re-reads it after its time to live', async () => {
    const server = await serve(echo);
    const file = join(mkdtempSync(join(tmpdir(), 'kube-conn-')), 'token');
    writeFileSync(file, 'first\n');
    const connection = new KubeConnection({ server, tokenFile: file });
    const auth = async () =>
      (
        JSON.parse((await connection.send({ method: 'GET', path: '/' })).text) as {
          headers: Record<string, string>;
        }
      ).headers.authorization;
    expect(await auth()).toBe('Bearer first');
    writeFileSync(file, 'second\n');
    expect(await auth()).toBe('Bearer first');
  });

  it('refuses an auth-provider user with what to use instead', () => {
    expect(() => new KubeConnection({ server: 'https://x', authProvider: 'oidc' })).toThrow(
      /auth-provider 'oidc' is not supported; use a token/,
    );
  });

  it('converts an object exporting a kubeconfig once', async () => {
    const server = await serve(echo);
    let exports = 0;
    const exported = {
      exportConfig: () => {
        exports++;
        return JSON.stringify({
          clusters: [{ name: 'c', cluster: { server } }],
          users: [{ name: 'u', user: { token: 'from-export' } }],
          contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'x',
        });
      },
    };
    expect(kubeConnection(exported)).toBe(kubeConnection(exported));
    expect(exports).toBe(1);
    const response = await kubeConnection(exported).send({ method: 'GET', path: '/' });
    expect(response.text).toContain('Bearer from-export');
  });
});

describe('ApiWatch', () => {
  function watchOnce(server: string, path: string) {
    const events: string[] = [];
    const done = new Promise<unknown>((resolve) => {
      void new ApiWatch(new KubeConnection({ server })).watch(
        path,
        { resourceVersion: '7' },
        (type, object) => events.push(`${type} ${(object as { n?: number }).n}`),
        resolve,
      );
    });
    return { events, done };
  }

  it('streams events line by line and ends with null when the server closes', async () => {
    let url = '';
    const server = await serve((req, res) => {
      url = req.url ?? '';
      res.write('{"type":"ADDED","object":{"n":1}}\n{"type":"MODI');
      setTimeout(() => res.end('FIED","object":{"n":2}}\n\n'), 5);
    });
    const { events, done } = watchOnce(server, '/apis/x/v1/widgets');
    expect(await done).toBeNull();
    expect(events).toEqual(['ADDED 1', 'MODIFIED 2']);
    expect(url).toMatch(/resourceVersion=7&watch=true&allowWatchBookmarks=true&timeoutSeconds=/);
  });

  it('reports a refused watch with its HTTP status, 410 Gone included', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 410;
      res.end('{"kind":"Status","code":410}');
    });
    const { done } = watchOnce(server, '/apis/x/v1/widgets');
    const error = await done;
    expect(error).toBeInstanceOf(WatchHttpError);
    expect((error as WatchHttpError).statusCode).toBe(410);
  });

  it('reports a cut connection as an error, not a crash', async () => {
    const server = await serve((req, res) => {
      res.write('{"type":"ADDED","object":{"n":1}}\n');
      setTimeout(() => req.socket.destroy(), 5);
    });
    const { events, done } = watchOnce(server, '/apis/x/v1/widgets');
    const error = await done;
    expect(events).toEqual(['ADDED 1']);
    expect(error).toBeInstanceOf(Error);
  });
});
