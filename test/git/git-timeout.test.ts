import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRepository, type GitError } from '../../controllers/source/index.ts';

let work: string;
let server: Server;
let port: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-timeout-'));
  // Accepts connections and never answers: a hung git server.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(work, { recursive: true, force: true });
});

describe('deadlines', () => {
  it.each([
    { name: 'HTTPS', url: () => `https://127.0.0.1:${port}/r.git`, secret: {} },
    {
      name: 'SSH',
      url: () => `ssh://git@127.0.0.1:${port}/r.git`,
      secret: { known_hosts: Buffer.from('[127.0.0.1]:1 ssh-ed25519 AAAA') },
    },
  ])(
    'a server that never answers over $name ends in Timeout at spec.timeout',
    async ({ url, secret }) => {
      const started = Date.now();
      const error = (await checkoutRepository({
        url: url(),
        dir: join(work, 'co'),
        secret,
        timeoutMs: 1500,
      }).catch((e: unknown) => e)) as GitError;
      expect(error.code).toBe('Timeout');
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );

  it('an aborted signal stops the operation', async () => {
    const controller = new AbortController();
    const pending = checkoutRepository({
      url: `https://127.0.0.1:${port}/r.git`,
      dir: join(work, 'co2'),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('shutting down')), 300);
    const error = (await pending.catch((e: unknown) => e)) as GitError;
    expect(error.code).toBe('Timeout');
    expect(error.message).toContain('shutting down');
  });
});
