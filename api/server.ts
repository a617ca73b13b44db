import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from 'express';

export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:8080` (a wildcard host is shown as loopback). */
  url: string;
  server: Server;
  /**
   * Stops accepting connections, lets in-flight requests finish (closing keep-alive connections
   * as they go idle) and force-closes whatever is left after `shutdownTimeoutMs`. Idempotent.
   */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Grace period for in-flight requests on close; default 10 s. */
  shutdownTimeoutMs?: number;
  /** Called with the server before it listens: to attach an upgrade handler (the WebSocket API). */
  beforeListen?: (server: Server) => void;
}

function urlFor(address: AddressInfo): string {
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** Listens on host:port (port 0: any free port); rejects if the port cannot be bound. */
export function startApiServer(
  app: Application,
  host: string,
  port: number,
  options: ApiServerOptions = {},
): Promise<ApiServer> {
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const server = createServer(app);
  options.beforeListen?.(server);
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve, reject) => {
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
      sweep.unref();
      force.unref();
      server.close((err) => {
        clearInterval(sweep);
        clearTimeout(force);
        if (err) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    }));

  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve({ url: urlFor(server.address() as AddressInfo), server, close });
    });
  });
}
