import type { Duplex } from 'node:stream';
import WebSocket, { type RawData } from 'ws';
import { TwinfoldError, toTwinfoldError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { JsonLimits } from '../../shared/safe-json';
import type { AuthCheck } from '../auth/access';
import type { SinkStarter, StreamRequest } from '../events/event-streams';
import { checkReadAccess } from './auth';
import { WS_CLOSE, type WsCloseCode } from './close-codes';
import { authenticatedMessage, errorMessage, unsubscribedMessage, type ServerMessageType } from './messages';
import type { WsMetrics } from './metrics';
import { parseClientMessage, type ClientMessage } from './protocol';
import { Subscription } from './subscription';

/** What subscriptions are read from: EventStreams (the Server-Sent Events' reader of device.twins). */
export interface SubscriptionSource {
  openSink(request: StreamRequest): Promise<SinkStarter>;
}

export interface WsConnectionLimits {
  maxSubscriptions: number;
  maxBufferedBytes: number;
  authTimeoutMs: number;
  /** Bounds of a client message's JSON (bytes, depth, keys). */
  json: JsonLimits;
}

export interface WsConnectionDeps {
  source: SubscriptionSource;
  auth: AuthCheck;
  limits: WsConnectionLimits;
  metrics: WsMetrics;
  logger: Logger;
}

/** Client messages waiting behind one still being handled; more are refused with an error. */
const MAX_QUEUED_MESSAGES = 64;
const SERVER_ENDED =
  'the subscription ended on this instance (shutting down, or device.twins unreadable): subscribe again with its position';

/** A close reason fits 123 bytes of UTF-8 (RFC 6455 §5.5); ours are ASCII. */
function reason(text: string): string {
  return text.length <= 123 ? text : `${text.slice(0, 120)}...`;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * One WebSocket connection: authentication (by the upgrade's header, or a first auth message
 * within WS_AUTH_TIMEOUT_MS), its subscriptions, and its limits. Client messages are handled one
 * at a time, in order. A bad message gets an `error` message; a broken rule closes the
 * connection with its code (close-codes.ts).
 */
export class WsConnection {
  private readonly subscriptions = new Map<string, Subscription>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private closeCode: number | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private alive = true;
  private closedResolve: (() => void) | undefined;
  /** Resolves once the socket has closed. */
  readonly whenClosed = new Promise<void>((resolve) => (this.closedResolve = resolve));

  /** Set while the socket is corked for the messages of this turn of the event loop. */
  private burst = false;

  /**
   * @param raw the upgraded TCP socket under `socket`: corked per turn, so a burst of messages
   * (one read of device.twins fanned out) leaves in one write instead of one per message
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly raw: Pick<Duplex, 'cork' | 'uncork'>,
    private readonly deps: WsConnectionDeps,
    private authenticated: boolean,
    private readonly onClosed: (connection: WsConnection) => void,
  ) {
    socket.on('message', (data, isBinary) => this.received(data, isBinary));
    socket.on('close', (code) => this.socketClosed(code));
    socket.on('pong', () => (this.alive = true));
    socket.on('error', (err) => deps.logger.debug('websocket error', { error: err }));
    if (!authenticated) {
      this.authTimer = setTimeout(
        () => this.close(WS_CLOSE.authTimeout, 'no auth message in time'),
        deps.limits.authTimeoutMs,
      );
    }
  }

  /** Pings; drops a connection that did not answer the previous ping. */
  ping(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /** Ends every subscription and closes with the code (idempotent). */
  close(code: WsCloseCode, why: string): void {
    if (this.closed) return;
    this.closeCode = code;
    this.end();
    this.socket.close(code, reason(why));
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  private end(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    for (const subscription of [...this.subscriptions.values()]) subscription.close();
  }

  private socketClosed(code: number): void {
    if (!this.closed) this.end();
    this.deps.metrics.closes.inc({ code: String(this.closeCode ?? code) });
    this.onClosed(this);
    this.closedResolve?.();
  }

  private received(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (this.queued >= MAX_QUEUED_MESSAGES) {
      this.sendMessage(
        'error',
        errorMessage('LIMIT_EXCEEDED', 'too many messages in flight; wait for answers'),
      );
      return;
    }
    this.queued += 1;
    this.queue = this.queue
      .then(() => this.handle(toBuffer(data), isBinary))
      .catch((err: unknown) => this.deps.logger.error('websocket message failed', { error: err }))
      .finally(() => (this.queued -= 1));
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    let message: ClientMessage;
    try {
      if (isBinary) throw new TwinfoldError('VALIDATION_ERROR', 'messages are JSON in text frames');
      message = parseClientMessage(data, this.deps.limits.json);
    } catch (err) {
      if (!this.authenticated) this.close(WS_CLOSE.unauthorized, 'the first message must be an auth message');
      else this.sendError(toTwinfoldError(err));
      return;
    }
    if (message.action === 'auth') return this.authenticate(message.token);
    if (!this.authenticated) {
      this.close(WS_CLOSE.unauthorized, 'the first message must be an auth message');
      return;
    }
    if (message.action === 'subscribe') return this.subscribe(message);
    this.unsubscribe(message.id);
  }

  private async authenticate(token: string): Promise<void> {
    let role: string | undefined;
    try {
      role = await checkReadAccess(this.deps.auth, { token });
    } catch (err) {
      const e = toTwinfoldError(err);
      const code =
        e.code === 'UNAUTHORIZED'
          ? WS_CLOSE.unauthorized
          : e.code === 'FORBIDDEN'
            ? WS_CLOSE.forbidden
            : WS_CLOSE.unavailable;
      this.close(code, e.message);
      return;
    }
    if (this.closed) return;
    clearTimeout(this.authTimer);
    this.authenticated = true;
    this.sendMessage('authenticated', authenticatedMessage(role));
  }

  private async subscribe(m: Extract<ClientMessage, { action: 'subscribe' }>): Promise<void> {
    if (this.subscriptions.has(m.id)) {
      const message = `subscription ${m.id} exists: unsubscribe first, or give another id`;
      this.sendError(new TwinfoldError('VALIDATION_ERROR', message), m.id);
      return;
    }
    if (this.subscriptions.size >= this.deps.limits.maxSubscriptions) {
      this.close(
        WS_CLOSE.tooManySubscriptions,
        `at most ${this.deps.limits.maxSubscriptions} subscriptions per connection`,
      );
      return;
    }
    let start: SinkStarter;
    try {
      start = await this.deps.source.openSink({
        selector: m.selector,
        ...(m.position === undefined ? {} : { lastEventId: m.position }),
      });
    } catch (err) {
      this.sendError(toTwinfoldError(err), m.id);
      return;
    }
    // Closed while the reader started: nothing was reserved for a sink not started.
    if (this.closed) return;
    start((onClose) => {
      const subscription = new Subscription(
        m.id,
        m.selector,
        (type, text) => this.sendMessage(type, text),
        onClose,
        (s) => this.ended(s),
      );
      this.subscriptions.set(m.id, subscription);
      this.deps.metrics.subscriptions.inc();
      return subscription;
    });
  }

  private unsubscribe(id: string): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) {
      this.sendMessage('error', errorMessage('NOT_FOUND', `no subscription ${id} on this connection`, id));
      return;
    }
    this.subscriptions.delete(id);
    this.deps.metrics.subscriptions.dec();
    subscription.close();
    this.sendMessage('unsubscribed', unsubscribedMessage(id, subscription.position));
  }

  /** A subscription ended by the server (or by the connection's end): forget it, tell the client. */
  private ended(subscription: Subscription): void {
    if (this.subscriptions.get(subscription.id) !== subscription) return;
    this.subscriptions.delete(subscription.id);
    this.deps.metrics.subscriptions.dec();
    if (!this.closed)
      this.sendMessage(
        'unsubscribed',
        unsubscribedMessage(subscription.id, subscription.position, SERVER_ENDED),
      );
  }

  private sendError(err: TwinfoldError, id?: string): void {
    if (err.code === 'INTERNAL') this.deps.logger.error('websocket request failed', { error: err });
    const message = err.code === 'INTERNAL' ? 'internal server error' : err.message;
    this.sendMessage('error', errorMessage(err.code, message, id));
  }

  /**
   * Sends, unless closed. The first message of a burst checks what earlier bursts left queued: a
   * client with more than WS_MAX_BUFFERED_BYTES still queued is too slow and is closed (4509).
   * Checked per burst, not per message, so a replay (one burst) to a healthy client is not taken
   * for slowness; what is queued stays under the limit plus one burst.
   */
  private sendMessage(type: ServerMessageType, text: string): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    if (!this.burst) {
      if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
        this.close(
          WS_CLOSE.slowConsumer,
          'too slow: more than the buffered-bytes limit queued; reconnect and resume from your positions',
        );
        return;
      }
      this.burst = true;
      this.raw.cork();
      process.nextTick(() => {
        this.burst = false;
        this.raw.uncork();
      });
    }
    this.socket.send(text);
    this.deps.metrics.sent.inc({ type });
  }
}
