import { Observable } from './observable';
import { currentToken, signOut } from './session';

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Requests now waiting out a 503 (rebalance, restore): the banner says "rebalancing, retrying". */
export const retrying = new Observable(0);

export interface ApiResult<T> {
  data: T;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The Authorization to send instead of the session's (the login form's probe). */
  token?: string | null;
}

interface Envelope {
  status?: string;
  data?: unknown;
  error?: { code?: string; message?: string };
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function readEnvelope(res: Response): Promise<Envelope> {
  const text = await res.text();
  if (!text) return {};
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    return { error: { code: 'MALFORMED_RESPONSE', message: text.slice(0, 200) } };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** Seconds of Retry-After, kept between 0.5 and 5 s so the dashboard neither hammers nor stalls. */
export function retryDelayMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(5000, Math.max(500, seconds * 1000)) : 1000;
}

/**
 * One call of the REST API with the session's token. 503 is waited out (it means a rebalance or a
 * restore, never a wrong request) while `retrying` says so; 401 ends the session; any other
 * error is an ApiError with the contract's code.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  const token = options.token === undefined ? currentToken() : options.token;
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(token) };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers: { ...headers, ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  let waiting = false;
  try {
    for (;;) {
      const res = await fetch(`${API}${path}`, init);
      if (res.status === 503) {
        if (!waiting) retrying.set(retrying.value + 1);
        waiting = true;
        await sleep(retryDelayMs(res.headers.get('Retry-After')), options.signal);
        continue;
      }
      const body = await readEnvelope(res);
      if (res.ok) return { data: body.data as T };
      const code = body.error?.code ?? `HTTP_${res.status}`;
      const message = body.error?.message ?? res.statusText;
      if (res.status === 401 && options.token === undefined)
        signOut('The token was refused (401). Enter a valid one.');
      throw new ApiError(res.status, code, message);
    }
  } finally {
    if (waiting) retrying.set(retrying.value - 1);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
