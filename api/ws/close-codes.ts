/**
 * Close codes of the WebSocket API (docs/contract.md "WebSocket"). Application codes are 4000 plus
 * the HTTP status of the same condition, so they read like the REST answers; 1001 and 1009 are
 * the standard codes (RFC 6455 §7.4.1) for a server going away and a message too big (the `ws`
 * library closes with 1009 itself when a client exceeds WS_MAX_MESSAGE_BYTES).
 */
export const WS_CLOSE = {
  /** The instance is shutting down: reconnect (to any instance) and resume from your positions. */
  goingAway: 1001,
  /** A client message larger than WS_MAX_MESSAGE_BYTES. */
  messageTooBig: 1009,
  /** The auth message's token is missing, malformed, unknown or expired; or a message came before it. */
  unauthorized: 4401,
  /** The token is valid but its role may not read twins. */
  forbidden: 4403,
  /** No auth message within WS_AUTH_TIMEOUT_MS. */
  authTimeout: 4408,
  /** One subscription more than WS_MAX_SUBSCRIPTIONS on this connection. */
  tooManySubscriptions: 4429,
  /** Not now: WS_MAX_CONNECTIONS reached, or tokens cannot be checked. Retry later or elsewhere. */
  unavailable: 4503,
  /** More than WS_MAX_BUFFERED_BYTES still queued when the next messages are due: reconnect and resume. */
  slowConsumer: 4509,
} as const;

export type WsCloseCode = (typeof WS_CLOSE)[keyof typeof WS_CLOSE];
