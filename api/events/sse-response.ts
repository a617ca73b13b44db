import type { Response } from 'express';
import type { SseEvent } from './stream-cursor';

export interface SseResponseOptions {
  /** Interval of `: keepalive` comments, so proxies and clients see an idle stream is alive. */
  heartbeatMs: number;
  /** The `retry:` hint: how long a client waits before reconnecting (ms). */
  retryMs: number;
  /**
   * Most bytes still queued for the client at a heartbeat; beyond it the client is too slow and
   * the connection is dropped. Checked at heartbeats, not per write, so a replay burst to a healthy
   * client is not mistaken for slowness. Nothing is lost: the client reconnects with its
   * Last-Event-ID and resumes exactly after the last event it received.
   */
  maxQueuedBytes: number;
}

/**
 * One Server-Sent Events response (text/event-stream). Owns the heartbeat timer; `onClose` runs
 * exactly once, whether the client went away, the stream was too slow or the server closed it.
 */
export class SseResponse {
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly res: Response,
    private readonly options: SseResponseOptions,
    private readonly onClose: () => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends the headers, the retry hint and the starting position as an id-only block: clients
   * record it as their last event id without dispatching an event (WHATWG HTML §9.2.6), so a
   * client that reconnects before any change arrived still resumes exactly where it started.
   */
  start(initialId: string): void {
    const { res } = this;
    if (res.destroyed || res.socket === null || res.socket.destroyed) {
      this.close();
      return;
    }
    res.once('close', () => this.close());
    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket.setNoDelay(true);
    this.write(`retry: ${this.options.retryMs}\nid: ${initialId}\n\n`);
    this.heartbeat = setInterval(() => {
      if (this.res.writableLength > this.options.maxQueuedBytes) this.close(true);
      else this.write(': keepalive\n\n');
    }, this.options.heartbeatMs);
  }

  send(event: SseEvent): void {
    this.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`);
  }

  /**
   * Ends the response (if still open), stops the heartbeat and runs onClose. Idempotent. `abort`
   * drops the connection instead of flushing it: for a client too slow to drain what is queued.
   */
  close(abort = false): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (abort) this.res.destroy();
    else if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }

  private write(text: string): void {
    if (this.closed) return;
    if (this.res.destroyed) {
      this.close();
      return;
    }
    this.res.write(text);
  }
}
