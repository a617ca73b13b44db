import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * Marks a request one instance forwarded to another (the one-hop limit): an instance that receives
 * it answers from its own stores or with 503, never forwards it again, and answers a list with its
 * local page only. Its value is the forwarding instance's URL, for logs. Not a privilege: a client
 * that sets it gets at most a 503 or a page flagged with the partitions it covers.
 */
export const FORWARDED_HEADER = 'x-twinfold-forwarded';

/** What the routing layer needs of the HTTP request being served, without seeing the request. */
export interface RequestContext {
  /** The caller's `Authorization` header, passed through unchanged when forwarding. */
  authorization?: string;
  /** Whether another instance forwarded this request (FORWARDED_HEADER present). */
  forwarded: boolean;
  /**
   * Set for writes once the caller is authenticated (mount.ts): who makes the write (the token's
   * subject) and the reason it gave (CHANGE_REASON_HEADER); they become the Kafka headers of the
   * records it produces, and the reason is passed on when the write is forwarded.
   */
  actor?: string;
  reason?: string;
}

/** The request header with the reason of a write, recorded in the twin's history. */
export const CHANGE_REASON_HEADER = 'x-change-reason';

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Middleware: makes the request's context available to everything the request's handler calls,
 * so the Backend seam stays free of HTTP types.
 */
export const captureRequestContext: RequestHandler = (req, _res, next) => {
  const authorization = req.get('authorization');
  const context: RequestContext = {
    forwarded: req.get(FORWARDED_HEADER) !== undefined,
    ...(authorization === undefined ? {} : { authorization }),
  };
  storage.run(context, next);
};

/** The context of the request being served; outside a request: not forwarded, no credentials. */
export function currentRequest(): RequestContext {
  return storage.getStore() ?? { forwarded: false };
}

/** Runs `fn` as if serving a request with `context` (tests, and calls made on a request's behalf). */
export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * HTTP header values travel as bytes that Node reads as latin1: text beyond ASCII arrives as its
 * UTF-8 bytes, one character each. These turn such a value back into text and text into one.
 */
export function encodeHeaderText(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function headerBytes(value: string): Buffer {
  return Buffer.from(value, 'latin1');
}
