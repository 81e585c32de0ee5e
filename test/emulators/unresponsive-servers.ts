import { createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP server that accepts connections and never answers: a hung key service. */
export interface SilentServer {
  /** http://127.0.0.1:<port> */
  readonly address: string;
  /** When each connection arrived (ms since epoch). */
  readonly connections: readonly number[];
  stop(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const connections: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.push(Date.now());
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `http://127.0.0.1:${port}`,
    connections,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** http://127.0.0.1:<port> where nothing listens (bound, then released): a key service that is down. */
export async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
