import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of the apiserver, so a test can cut every connection through it (as a
 * load balancer or a network blip would) or refuse connections for a while. TLS passes
 * through untouched: the client still talks to the real apiserver.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  #blackholed = false;
  connections = 0;

  constructor(target: URL) {
    this.#target = { host: target.hostname, port: Number(target.port || 443) };
  }

  get url(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  /** Starts listening, on the same port as before when restarted. */
  async listen(): Promise<void> {
    const server = createServer((client) => {
      this.connections++;
      if (this.#blackholed) {
        // Accept and then say nothing, like a peer behind a dead route.
        this.#sockets.add(client);
        client.on('close', () => this.#sockets.delete(client));
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = connect(this.#target.port, this.#target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.#port = address.port;
    this.#server = server;
  }

  /** Destroys every open connection, both sides, without a TLS close. */
  cut(): number {
    const count = this.#sockets.size;
    for (const socket of this.#sockets) socket.destroy();
    return count;
  }

  /**
   * Cuts what is open and from now on accepts connections without ever answering: requests
   * hang instead of failing, until the client's own timeout.
   */
  blackhole(): void {
    this.#blackholed = true;
    this.cut();
  }

  /** Stops listening and cuts what is open: the apiserver looks down. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
