import * as http from 'node:http';
import * as https from 'node:https';
import { ERROR_CODES, TwinfoldError, type ErrorCode } from '../../shared/errors';
import { publicDetails } from '../envelope';
import type { JsonValue } from '../json';
import type { ForwardMetrics } from './forward-metrics';
import { CHANGE_REASON_HEADER, currentRequest, encodeHeaderText, FORWARDED_HEADER } from './request-context';

/** One call to another instance's REST API. */
export interface PeerRequest {
  /** Metrics label: the Backend method being forwarded. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with encoded segments, e.g. `/api/v1/twins/sensor-1`. */
  path: string;
  query?: Readonly<Record<string, string>>;
  body?: JsonValue;
  /** Request headers of the operation itself, e.g. `If-Match`. */
  headers?: Readonly<Record<string, string>>;
  /** Time the peer may take on purpose (a wait the request asks for), on top of the timeout. */
  extraTimeMs?: number;
  /**
   * True for reads: when no answer comes, retrying is safe, so the caller gets NOT_READY (and a
   * reset of a reused keep-alive connection is retried once right away). False
   * for writes: only a refused connection (nothing sent) is NOT_READY; a timeout or a reset may
   * have applied the write, so the caller gets TIMEOUT / UPSTREAM_ERROR and must check.
   */
  idempotent: boolean;
}

export interface PeerClientOptions {
  /** This instance's URL, sent in FORWARDED_HEADER. */
  self: string;
  /** FORWARD_TIMEOUT_MS. */
  timeoutMs: number;
  metrics: ForwardMetrics;
  /** Largest answer accepted (a list page of 1000 twins is a few MB). */
  maxResponseBytes?: number;
}

interface Failure {
  reason: 'refused' | 'timeout' | 'reset' | 'network';
  error: Error;
  /** The request went out on a kept-alive socket (a reset then means the peer closed it first). */
  reusedSocket: boolean;
}

class NoAnswer extends Error {
  constructor(readonly failure: Failure) {
    super(failure.error.message);
  }
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
  /** A streamed 2xx answer: the body, not read yet. */
  body?: http.IncomingMessage;
}

const NOT_READY_RETRY_SECONDS = 1;

/**
 * Sends requests to peers: keep-alive connections, a timeout per request, the one-hop marker, and
 * the caller's `Authorization` passed through unchanged (the peer authenticates the caller again).
 * With a write, the caller's X-Change-Reason too. No other header of the original request is sent: Host and X-Forwarded-* have no say anywhere.
 * Returns the success envelope's `data`; throws the peer's error as a TwinfoldError with its code.
 */
export class PeerClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly maxResponseBytes: number;

  constructor(private readonly options: PeerClientOptions) {
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  }

  async send(baseUrl: string, request: PeerRequest): Promise<unknown> {
    const { metrics } = this.options;
    const stop = metrics.duration.startTimer({ operation: request.operation });
    try {
      const answer = await this.exchange(baseUrl, request);
      metrics.requests.inc({ operation: request.operation, status: String(answer.status) });
      if (answer.status >= 500)
        metrics.errors.inc({ operation: request.operation, reason: `peer_${answer.status}` });
      return this.dataOf(baseUrl, answer);
    } catch (err) {
      if (!(err instanceof NoAnswer)) throw err;
      metrics.requests.inc({ operation: request.operation, status: 'none' });
      metrics.errors.inc({ operation: request.operation, reason: err.failure.reason });
      throw noAnswerError(baseUrl, request, err.failure);
    } finally {
      stop();
    }
  }

  /**
   * Like `send`, for an answer streamed through (a telemetry export): resolves with the body of a
   * 2xx answer as soon as its headers arrive; the caller reads it and must destroy it if it stops
   * early. An idle body (no bytes for the timeout) is destroyed with an error. Anything else
   * throws as `send` does.
   */
  async openStream(baseUrl: string, request: PeerRequest): Promise<http.IncomingMessage> {
    const { metrics } = this.options;
    const stop = metrics.duration.startTimer({ operation: request.operation });
    try {
      const answer = await this.exchange(baseUrl, request, true);
      metrics.requests.inc({ operation: request.operation, status: String(answer.status) });
      if (answer.status >= 500)
        metrics.errors.inc({ operation: request.operation, reason: `peer_${answer.status}` });
      if (answer.body) return answer.body;
      this.dataOf(baseUrl, answer);
      throw new TwinfoldError('UPSTREAM_ERROR', `instance ${baseUrl} answered a stream with an envelope`);
    } catch (err) {
      if (!(err instanceof NoAnswer)) throw err;
      metrics.requests.inc({ operation: request.operation, status: 'none' });
      metrics.errors.inc({ operation: request.operation, reason: err.failure.reason });
      throw noAnswerError(baseUrl, request, err.failure);
    } finally {
      stop();
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async exchange(baseUrl: string, request: PeerRequest, streamed = false): Promise<Answer> {
    try {
      return await this.once(baseUrl, request, streamed);
    } catch (err) {
      // A kept-alive socket the peer closed as we reused it: most likely nothing reached the peer,
      // but only a read may be sent again on a guess (a write, e.g. a command, would be queued twice).
      const { failure } = err instanceof NoAnswer ? err : { failure: undefined };
      if (request.idempotent && failure?.reason === 'reset' && failure.reusedSocket) {
        return this.once(baseUrl, request, streamed);
      }
      throw err;
    }
  }

  private once(baseUrl: string, request: PeerRequest, streamed: boolean): Promise<Answer> {
    const url = new URL(request.path, baseUrl);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const { authorization, reason } = currentRequest();
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...request.headers,
      [FORWARDED_HEADER]: this.options.self,
      ...(authorization === undefined ? {} : { authorization }),
      // The peer authenticates the caller again, so the actor is its own finding; the reason is the caller's.
      ...(reason === undefined ? {} : { [CHANGE_REASON_HEADER]: encodeHeaderText(reason) }),
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(body.length) }),
    };
    const secure = url.protocol === 'https:';
    const timeoutMs = this.options.timeoutMs + (request.extraTimeMs ?? 0);
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const fail = (error: NodeJS.ErrnoException, reusedSocket: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new NoAnswer({ reason: failureReason(error), error, reusedSocket }));
        req.destroy();
      };
      const req = (secure ? https : http).request(url, {
        method: request.method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      });
      const timer = setTimeout(
        () =>
          fail(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }), false),
        timeoutMs,
      );
      req.once('error', (error: NodeJS.ErrnoException) => fail(error, req.reusedSocket));
      req.once('response', (res) => {
        const status = res.statusCode ?? 0;
        if (streamed && status >= 200 && status < 300) {
          settled = true;
          clearTimeout(timer);
          res.setTimeout(timeoutMs, () => res.destroy(new Error(`no bytes for ${timeoutMs} ms`)));
          resolve({ status, retryAfter: undefined, text: '', body: res });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= this.maxResponseBytes) chunks.push(chunk);
          else fail(new Error(`answer larger than ${this.maxResponseBytes} bytes`), false);
        });
        res.once('error', (error: NodeJS.ErrnoException) => fail(error, false));
        res.once('aborted', () =>
          fail(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' }), false),
        );
        res.once('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(body);
    });
  }

  private dataOf(baseUrl: string, answer: Answer): unknown {
    const envelope = parseEnvelope(answer.text);
    if (answer.status >= 200 && answer.status < 300 && envelope?.status === 'success') return envelope.data;
    const error = envelope?.status === 'error' ? envelope.error : undefined;
    const code = isErrorCode(error?.code) ? error.code : 'UPSTREAM_ERROR';
    const message =
      typeof error?.message === 'string'
        ? error.message
        : `instance ${baseUrl} answered HTTP ${answer.status}`;
    const retryAfter = Number(answer.retryAfter);
    throw new TwinfoldError(code, message, {
      retriable: answer.status === 503,
      details: {
        ...publicDetails(isRecord(error?.details) ? error.details : undefined),
        forwardedTo: baseUrl,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      },
    });
  }
}

interface Envelope {
  status?: unknown;
  data?: unknown;
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

function failureReason(error: NodeJS.ErrnoException): Failure['reason'] {
  if (error.code === 'ECONNREFUSED') return 'refused';
  if (error.code === 'ETIMEDOUT') return 'timeout';
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return 'reset';
  return 'network';
}

function noAnswerError(baseUrl: string, request: PeerRequest, failure: Failure): TwinfoldError {
  const what = `${request.method} ${request.path} forwarded to ${baseUrl}`;
  const details = { forwardedTo: baseUrl, retryAfterSeconds: NOT_READY_RETRY_SECONDS };
  // Nothing was sent, or the request is safe to repeat: the client may simply retry.
  if (failure.reason === 'refused' || request.idempotent) {
    return new TwinfoldError('NOT_READY', `${what} got no answer (${failure.reason}); retry shortly`, {
      cause: failure.error,
      retriable: true,
      details,
    });
  }
  const code = failure.reason === 'timeout' ? 'TIMEOUT' : 'UPSTREAM_ERROR';
  return new TwinfoldError(
    code,
    `${what} got no answer (${failure.reason}); the write may or may not have been applied`,
    { cause: failure.error, details: { forwardedTo: baseUrl } },
  );
}
