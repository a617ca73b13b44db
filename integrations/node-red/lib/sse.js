'use strict';

const { apiUrl, authHeaders, describe } = require('./client');

/**
 * @typedef {object} SseEvent
 * @property {string | undefined} id
 * @property {string} event `message` when the block named none
 * @property {string} data
 */

/**
 * A text/event-stream parser (WHATWG HTML, "event stream interpretation"): blocks end at a blank
 * line, `:` lines are comments, and a block with an id but no data moves the last event id
 * without being an event. Feed it decoded text in any chunks.
 */
class SseParser {
  /**
   * @param {(event: SseEvent) => void} onEvent
   * @param {(retryMs: number) => void} [onRetry]
   */
  constructor(onEvent, onRetry) {
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    /** @type {string | undefined} the id to resume from */
    this.lastEventId = undefined;
    this.rest = '';
    this.reset();
  }

  reset() {
    /** @type {string | undefined} */
    this.data = undefined;
    /** @type {string | undefined} */
    this.event = undefined;
    /** @type {string | undefined} */
    this.id = undefined;
  }

  /** @param {string} chunk */
  feed(chunk) {
    const lines = (this.rest + chunk).split(/\r\n|\r|\n/);
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** @param {string} line */
  line(line) {
    if (line === '') {
      if (this.id !== undefined) this.lastEventId = this.id;
      if (this.data !== undefined)
        this.onEvent({ id: this.lastEventId, event: this.event ?? 'message', data: this.data });
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry?.(Number(value));
  }
}

/**
 * @typedef {object} LiveOptions
 * @property {import('./client').ServerSettings} server
 * @property {string} path e.g. /api/v1/events
 * @property {Record<string, string>} [query]
 * @property {(event: SseEvent) => void} onEvent
 * @property {(state: 'connecting' | 'connected' | 'reconnecting' | 'error', detail: string) => void} onState
 * @property {number} [maxBackoffMs] default 30 s
 * @property {number} [stallMs] reconnect when nothing (not even a heartbeat) arrived for this long; default 60 s
 */

/**
 * A Server-Sent Events stream that stays open: after a disconnect it reconnects (the server's
 * `retry:` hint, else 1 s doubling to maxBackoffMs) with `Last-Event-ID`, so every change after the
 * last one seen arrives exactly once. twinfold refuses an id it cannot resume from with 400; the
 * stream then starts again from now and says so through onState.
 */
class LiveStream {
  /** @param {LiveOptions} options */
  constructor(options) {
    this.options = options;
    this.stopped = false;
    /** @type {AbortController | undefined} */
    this.controller = undefined;
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
    /** @type {string | undefined} */
    this.lastEventId = undefined;
    this.retryMs = 1000;
    this.backoffMs = 1000;
    this.connections = 0;
  }

  start() {
    this.loop().catch((err) => this.options.onState('error', describe(err)));
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  async loop() {
    while (!this.stopped) {
      const waitMs = await this.connectOnce();
      if (this.stopped) return;
      await new Promise((resolve) => (this.timer = setTimeout(resolve, waitMs)));
    }
  }

  /**
   * One connection, read until it ends. Returns how long to wait before the next one.
   * @returns {Promise<number>}
   */
  async connectOnce() {
    const { server, path, query, onEvent, onState } = this.options;
    const controller = new AbortController();
    this.controller = controller;
    /** @type {Record<string, string>} */
    const extra = { accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) extra['last-event-id'] = this.lastEventId;
    onState(this.connections === 0 ? 'connecting' : 'reconnecting', 'connecting');
    let res;
    try {
      res = await fetch(apiUrl(server.url, path, query), {
        headers: authHeaders(server, extra),
        signal: controller.signal,
      });
    } catch (err) {
      if (!this.stopped) onState('reconnecting', describe(err));
      return this.nextBackoff();
    }
    if (this.stopped) {
      controller.abort();
      return 0;
    }
    if (res.status !== 200) {
      const body = await res.text().catch(() => '');
      if (res.status === 400 && this.lastEventId !== undefined) {
        onState('error', `cannot resume from ${this.lastEventId}, starting from now: ${body.slice(0, 200)}`);
        this.lastEventId = undefined;
        return 0;
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      onState('error', `HTTP ${res.status}: ${body.slice(0, 200)}`);
      return Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : this.nextBackoff();
    }
    this.connections += 1;
    this.backoffMs = 1000;
    onState('connected', 'connected');
    const parser = new SseParser(onEvent, (ms) => (this.retryMs = ms));
    parser.lastEventId = this.lastEventId;
    const decoder = new TextDecoder();
    const stallMs = this.options.stallMs ?? 60000;
    /** @type {NodeJS.Timeout | undefined} */
    let stall;
    const armStall = () => {
      if (stall) clearTimeout(stall);
      stall = setTimeout(() => controller.abort(), stallMs);
    };
    try {
      armStall();
      if (!res.body) throw new Error('no response body');
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        armStall();
        parser.feed(decoder.decode(value, { stream: true }));
        this.lastEventId = parser.lastEventId;
      }
      if (!this.stopped) onState('reconnecting', 'the server closed the stream');
    } catch (err) {
      if (!this.stopped) onState('reconnecting', describe(err));
    } finally {
      if (stall) clearTimeout(stall);
      this.lastEventId = parser.lastEventId;
    }
    return this.retryMs;
  }

  nextBackoff() {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30000);
    return wait;
  }
}

module.exports = { SseParser, LiveStream };
