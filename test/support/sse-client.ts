import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { waitFor } from './wait';

/** One dispatched block of a text/event-stream. */
export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
}

/**
 * A minimal Server-Sent Events client over node:http, parsing as WHATWG HTML §9.2.6 does: blocks
 * end at a blank line, `:` lines are comments, an id-only block updates the last event id without
 * being an event. Close it in a finally/afterEach.
 */
export class SseClient {
  /** Blocks carrying data, in arrival order. */
  readonly events: SseBlock[] = [];
  /** Every block, including id-only ones. */
  readonly blocks: SseBlock[] = [];
  comments = 0;
  lastEventId: string | undefined;
  /** The id the stream opened with (its starting position), before any event moved it. */
  firstEventId: string | undefined;
  ended = false;
  private rest = '';
  private current: SseBlock = {};

  private constructor(
    private readonly req: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    response.once('close', () => (this.ended = true));
  }

  /**
   * Connects; resolves once the response headers arrive. A non-200 answer rejects with its status
   * and body (as `status` and `body` on the error).
   */
  static connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false });
      req.once('error', reject);
      req.once('response', (res) => {
        if (res.statusCode === 200) {
          resolve(new SseClient(req, res));
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.once('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), {
              status: res.statusCode,
              body,
              headers: res.headers,
            }),
          ),
        );
      });
      req.end();
    });
  }

  /** Waits until `done(events)` holds (the events seen so far); on timeout, says what arrived. */
  async waitFor(what: string, done: (events: SseBlock[]) => boolean, timeoutMs = 30000): Promise<void> {
    try {
      await waitFor(what, () => done(this.events), { timeoutMs, intervalMs: 20 });
    } catch (err) {
      const seen = this.events.map((e) => e.data?.slice(0, 80)).join(' | ');
      throw new Error(`${(err as Error).message}; saw ${this.events.length} events: ${seen}`);
    }
  }

  /** Drops the connection, as a client going away does. */
  close(): void {
    this.req.destroy();
    this.response.destroy();
  }

  private feed(chunk: string): void {
    const lines = (this.rest + chunk).split(/\r\n|\r|\n/);
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      const block = this.current;
      this.current = {};
      if (Object.keys(block).length === 0) return;
      this.blocks.push(block);
      if (block.id !== undefined) {
        this.firstEventId ??= block.id;
        this.lastEventId = block.id;
      }
      if (block.data !== undefined) this.events.push(block);
      return;
    }
    if (line.startsWith(':')) {
      this.comments += 1;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data')
      this.current.data = this.current.data === undefined ? value : `${this.current.data}\n${value}`;
    else if (field === 'id') this.current.id = value;
    else if (field === 'event') this.current.event = value;
    else if (field === 'retry') this.current.retry = Number(value);
  }
}
