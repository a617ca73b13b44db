import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a real service, so a test can cut a client's connections the way a
 * network does (both sockets destroyed mid-stream) and refuse new ones for a while, while the
 * service itself keeps running. Remembers the first bytes each connection sent (its request head).
 */
export class TcpProxy {
  /** The first chunk every accepted connection sent, in order. */
  readonly requestHeads: string[] = [];
  private refusing = false;
  private readonly open = new Set<Socket>();

  private readonly server: Server;
  /** The relay's own URL, to give clients instead of the target's. */
  url = '';

  private constructor(target: string) {
    const { hostname, port } = new URL(target);
    this.server = createServer((client) => this.relay(client, hostname, Number(port)));
  }

  static async start(target: string): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    proxy.url = `http://127.0.0.1:${address.port}`;
    return proxy;
  }

  /** Destroys every relayed connection and, until `accept()`, every new one. */
  cut(): void {
    this.refusing = true;
    for (const socket of this.open) socket.destroy();
  }

  accept(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, host: string, port: number): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host, port });
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => undefined);
    }
    client.once('data', (chunk: Buffer) => this.requestHeads.push(chunk.toString('latin1')));
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
