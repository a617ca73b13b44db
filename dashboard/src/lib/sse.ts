import { API, authHeaders, retryDelayMs } from './api';
import { currentToken, signOut } from './session';
import { SseParser } from './sse-parser';

export type LinkState = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers {
  /** `event: twin` (the document) or `event: deleted` (`{"id"}`). */
  onEvent(type: string, data: unknown): void;
  onState(state: LinkState): void;
  /** The server refused to resume from our position (400): start over from a fresh read. */
  onReset?(): void;
}

/**
 * A live stream of the API (`/events?…` or `/twins/{id}/events`) over fetch, so it can carry the
 * Authorization header that EventSource cannot. After a drop it reconnects by itself with
 * Last-Event-ID: every change after the last one seen arrives exactly once, without a reload.
 * Returns the function that closes it.
 */
export function openStream(path: string, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let retryMs = 1000;

  const once = async (): Promise<void> => {
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders(currentToken()) };
    if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
    const res = await fetch(`${API}${path}`, { headers, signal: abort.signal, cache: 'no-store' });
    if (res.status === 401) {
      signOut('The token was refused (401). Enter a valid one.');
      abort.abort();
      return;
    }
    if (res.status === 400 && lastId !== undefined) {
      lastId = undefined;
      handlers.onReset?.();
      return;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      if (res.status === 503) retryMs = retryDelayMs(res.headers.get('Retry-After'));
      return;
    }
    const parser = new SseParser((block) => {
      if (block.id !== undefined) lastId = block.id;
      if (block.retry !== undefined) retryMs = block.retry;
      if (block.data.length === 0) return;
      handlers.onEvent(block.event, JSON.parse(block.data.join('\n')));
    });
    handlers.onState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  };

  void (async () => {
    handlers.onState('connecting');
    while (!abort.signal.aborted) {
      try {
        await once();
      } catch {
        // a dropped connection: reconnect below
      }
      if (abort.signal.aborted) return;
      handlers.onState('reconnecting');
      await new Promise((r) => setTimeout(r, Math.min(retryMs, 5000)));
    }
  })();
  return () => abort.abort();
}
