import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { TwinfoldError, toTwinfoldError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { AuthCheck } from '../auth/access';
import { challengeOf } from '../auth/challenge';
import { errorEnvelope } from '../envelope';
import { checkReadAccess } from './auth';
import { WS_CLOSE } from './close-codes';
import {
  WsConnection,
  type SubscriptionSource,
  type WsConnectionDeps,
  type WsConnectionLimits,
} from './connection';
import { wsMetrics, type WsMetrics } from './metrics';

/** How long clients get to answer the closing handshake at shutdown before they are dropped. */
const CLOSE_GRACE_MS = 2000;

/** The path of the WebSocket API on the API's HTTP server. */
export const WS_PATH = '/ws';

export interface WebSocketApiOptions {
  source: SubscriptionSource;
  auth: AuthCheck;
  limits: WsConnectionLimits & {
    maxConnections: number;
    /** Largest client message; a larger one closes the connection with 1009. */
    maxMessageBytes: number;
    pingMs: number;
  };
  logger: Logger;
  registry: Registry;
}

/** Answers an upgrade that is refused with a plain HTTP response (the error envelope), and drops it. */
function refuse(socket: Duplex, err: TwinfoldError): void {
  const status = err.httpStatus;
  const body = JSON.stringify(
    errorEnvelope(err.code, status === 500 ? 'internal server error' : err.message),
  );
  const challenge = challengeOf(err);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(challenge === undefined ? [] : [`WWW-Authenticate: ${challenge}`]),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * The WebSocket API at `/ws` (docs/contract.md "WebSocket"), on the API's HTTP server. An upgrade
 * with an Authorization header is checked like a REST request (401/403 refuse the upgrade); one
 * without must send an auth message first. Every subscription reads from `source`, the instance's
 * EventStreams: the reader of `device.twins` that serves Server-Sent Events, so any instance
 * delivers every twin's changes, with the same positions.
 */
export class WebSocketApi {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private readonly metrics: WsMetrics;
  private readonly deps: WsConnectionDeps;
  private readonly pinger: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly o: WebSocketApiOptions) {
    this.metrics = wsMetrics(o.registry);
    this.deps = { ...o, metrics: this.metrics };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: o.limits.maxMessageBytes,
      clientTracking: false,
    });
    this.pinger = setInterval(() => {
      for (const c of this.connections) c.ping();
    }, o.limits.pingMs);
    this.pinger.unref();
  }

  /** Handles the server's upgrade requests (all of them: other paths get 404). */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (err) => this.o.logger.debug('websocket upgrade socket error', { error: err }));
      void this.upgrade(req, socket, head).catch((err: unknown) => {
        this.o.logger.error('websocket upgrade failed', { error: err });
        socket.destroy();
      });
    });
  }

  /** Closes every connection with 1001 (clients resume elsewhere) and stops accepting new ones. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.pinger);
    const open = [...this.connections];
    for (const c of open) c.close(WS_CLOSE.goingAway, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
    await Promise.race([Promise.all(open.map((c) => c.whenClosed)), grace]);
    clearTimeout(timer);
    for (const c of open) c.terminate();
    await Promise.all(open.map((c) => c.whenClosed));
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== WS_PATH)
      return refuse(socket, new TwinfoldError('NOT_FOUND', `no WebSocket at ${path.slice(0, 200)}`));
    if (this.closing) return refuse(socket, new TwinfoldError('NOT_READY', 'shutting down'));
    const hasHeader = (req.headers.authorization ?? '').trim() !== '';
    let authenticated = true;
    try {
      await checkReadAccess(this.o.auth, { headers: req.headers });
    } catch (err) {
      // With a header, it is wrong: refused like REST. Without one, the auth message may bring it.
      if (hasHeader) return refuse(socket, toTwinfoldError(err));
      authenticated = false;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new WsConnection(ws, socket, this.deps, authenticated, (c) => this.closed(c));
      if (this.closing) return connection.close(WS_CLOSE.goingAway, 'server shutting down');
      if (this.connections.size >= this.o.limits.maxConnections) {
        return connection.close(
          WS_CLOSE.unavailable,
          `this instance serves at most ${this.o.limits.maxConnections} WebSocket connections`,
        );
      }
      this.connections.add(connection);
      this.metrics.connections.inc();
    });
  }

  private closed(connection: WsConnection): void {
    if (this.connections.delete(connection)) this.metrics.connections.dec();
  }
}
