'use strict';

/**
 * The twinfold REST client the nodes share: Node 20's fetch with the server's bearer token, the
 * `{status, data}` envelope unwrapped, and errors as TwinfoldApiError with the HTTP status and the
 * API's stable error code.
 */

class TwinfoldApiError extends Error {
  /**
   * @param {number} statusCode
   * @param {string} code the API's error code, e.g. TWIN_NOT_FOUND, or NETWORK_ERROR
   * @param {string} message
   * @param {unknown} [details]
   */
  constructor(statusCode, code, message, details) {
    super(`${code}: ${message}`);
    this.name = 'TwinfoldApiError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

/**
 * @typedef {object} ServerSettings
 * @property {string} url base URL of the twinfold API, e.g. http://127.0.0.1:8080
 * @property {string} [token] bearer token (none when the service runs with AUTH_MODE=none)
 */

/**
 * @typedef {object} RequestOptions
 * @property {Record<string, unknown>} [query] values sent as text; undefined, null and '' left out
 * @property {unknown} [body] sent as JSON
 * @property {Record<string, string>} [headers]
 * @property {number} [timeoutMs] default 30 s
 */

/**
 * @typedef {object} ApiAnswer
 * @property {number} statusCode
 * @property {Record<string, string>} headers
 * @property {unknown} data the envelope's `data`
 */

/**
 * The absolute URL of an API path with a query (empty and undefined values left out).
 * @param {string} base
 * @param {string} path e.g. /api/v1/twins
 * @param {RequestOptions['query']} [query]
 */
function apiUrl(base, path, query) {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/**
 * The request headers every call carries.
 * @param {ServerSettings} server
 * @param {Record<string, string>} [extra]
 */
function authHeaders(server, extra) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', ...extra };
  if (server.token) headers.authorization = `Bearer ${server.token}`;
  return headers;
}

/**
 * One API call. Resolves with the unwrapped data on 2xx; rejects with TwinfoldApiError otherwise.
 * @param {ServerSettings} server
 * @param {string} method
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<ApiAnswer>}
 */
async function request(server, method, path, options = {}) {
  if (!server.url) throw new TwinfoldApiError(0, 'NOT_CONFIGURED', 'the twinfold-server node has no URL');
  /** @type {Record<string, string>} */
  const extra = { ...options.headers };
  /** @type {string | undefined} */
  let body;
  if (options.body !== undefined) {
    extra['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res;
  try {
    res = await fetch(apiUrl(server.url, path, options.query), {
      method,
      headers: authHeaders(server, extra),
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30000),
    });
  } catch (err) {
    throw new TwinfoldApiError(0, 'NETWORK_ERROR', `${method} ${path}: ${describe(err)}`);
  }
  const text = await res.text();
  /** @type {any} */
  let envelope;
  try {
    envelope = text ? JSON.parse(text) : undefined;
  } catch {
    envelope = undefined;
  }
  /** @type {Record<string, string>} */
  const headers = {};
  res.headers.forEach((value, key) => (headers[key] = value));
  if (res.ok) return { statusCode: res.status, headers, data: envelope?.data };
  const error = envelope?.error;
  throw new TwinfoldApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : `HTTP_${res.status}`,
    typeof error?.message === 'string' ? error.message : text.slice(0, 200) || res.statusText,
    error?.details,
  );
}

/** @param {unknown} err */
function describe(err) {
  if (err instanceof Error) {
    const cause = /** @type {{cause?: unknown}} */ (err).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/**
 * The path of one twin (ids are URL-encoded).
 * @param {string} id
 * @param {string} [rest] e.g. /desired
 */
function twinPath(id, rest = '') {
  return `/api/v1/twins/${encodeURIComponent(id)}${rest}`;
}

module.exports = { TwinfoldApiError, apiUrl, authHeaders, request, twinPath, describe };
