import WebSocket from 'ws';
import { waitFor } from './wait';

/** A message of the WebSocket API, as received (docs/contract.md "WebSocket"). */
export interface WsMessage {
  type: string;
  id?: string;
  subscription?: string;
  twin_id?: string;
  version?: number;
  timestamp?: string;
  position?: string;
  code?: string;
  message?: string;
  reason?: string;
  state?: { id: string; version: number; type: string; updatedAt: string };
}

/** What refused an upgrade: its HTTP status and body. */
export interface WsRefusal {
  status: number;
  body: string;
  challenge: string | undefined;
}

/**
 * A WebSocket API client for tests over the `ws` library: collects every message and the close
 * code. Close it in a finally/afterAll.
 */
export class WsClient {
  readonly messages: WsMessage[] = [];
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as WsMessage));
    socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  /** Opens `/ws` of a service (http:// base URL); rejects with a WsRefusal when the upgrade is refused. */
  static connect(baseUrl: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers });
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const refusal: WsRefusal = {
            status: res.statusCode ?? 0,
            body,
            challenge: res.headers['www-authenticate'],
          };
          reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { refusal }));
        });
      });
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  ofType(type: string, subscription?: string): WsMessage[] {
    return this.messages.filter(
      (m) =>
        m.type === type &&
        (subscription === undefined || m.subscription === subscription || m.id === subscription),
    );
  }

  /** Waits for the first message of a type (and subscription) at or after index `from`. */
  next(type: string, subscription?: string, from = 0): Promise<WsMessage> {
    return waitFor(`a ${type} message${subscription ? ` of ${subscription}` : ''}`, () =>
      this.messages
        .slice(from)
        .find(
          (m) =>
            m.type === type &&
            (subscription === undefined || m.subscription === subscription || m.id === subscription),
        ),
    );
  }

  /** Waits until the server closed the connection; returns the code. */
  closed(timeoutMs = 10000): Promise<number> {
    return waitFor('the connection to close', () => this.closeCode, { timeoutMs, intervalMs: 20 });
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)
      this.socket.terminate();
  }
}
