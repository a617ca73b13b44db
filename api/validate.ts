import { TwinfoldError } from '../shared/errors';
import type { TwinFilter } from './backend';
import { ALERT_FILTERS, HEALTH_FILTERS } from './twin-filter';
import { isJsonObject, type JsonObject } from './json';
import { isForbiddenKey } from '../shared/safe-json';
import { parseTimestamp } from '../shared/inputs';
import { CONNECTION_STATUSES, LIFECYCLES, type Attributes } from './twin-document';

/** Validators for bodies and query strings. Each throws VALIDATION_ERROR with the offending field. */

export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_ATTRIBUTES = 256;
export const MAX_TTL_SECONDS = 7 * 24 * 3600;
export const MAX_PRIORITY = 9;

/** Command ids share the device id alphabet, so they are safe path segments too. */
export const COMMAND_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Device types named in a path (`/types/{type}/profile`): the device id alphabet. */
export const DEVICE_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Command actions: what firmware dispatches on. */
export const ACTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** VALIDATION_ERROR; `field` (the parameter in question) reaches the client as `details.field`. */
export function invalid(message: string, field?: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', message, field === undefined ? {} : { details: { field } });
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (isJsonObject(value)) return value;
  const got = value === undefined ? 'nothing' : Array.isArray(value) ? 'an array' : typeof value;
  throw invalid(`${what} must be a JSON object (Content-Type: application/json), got ${got}`);
}

export function rejectUnknownFields(obj: JsonObject, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw invalid(`${what} has unknown field(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A non-empty single-line string of at most `max` characters. */
export function parseText(value: unknown, field: string, max = 128): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || hasControlCharacter(value)) {
    throw invalid(
      `${field} must be a non-empty string of at most ${max} characters without control characters`,
    );
  }
  return value;
}

export function parsePattern(value: unknown, field: string, pattern: RegExp): string {
  if (typeof value === 'string' && pattern.test(value)) return value;
  throw invalid(`${field} must match ${pattern.source}`);
}

/** A flat map of scalar values (string, number, boolean). */
export function parseAttributes(value: unknown, field: string): Attributes {
  const obj = requireObject(value, field);
  const keys = Object.keys(obj);
  if (keys.length > MAX_ATTRIBUTES) throw invalid(`${field} has more than ${MAX_ATTRIBUTES} entries`);
  for (const key of keys) {
    parseText(key, `${field} key ${JSON.stringify(key.slice(0, 32))}`);
    const v = obj[key];
    if (typeof v === 'string') parseText(v, `${field}.${key}`, 1024);
    else if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(`${field}.${key} must be finite`);
    else if (typeof v !== 'number' && typeof v !== 'boolean') {
      throw invalid(`${field}.${key} must be a string, number or boolean`);
    }
  }
  return obj;
}

export function parseIntegerInRange(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** A query parameter holding a decimal integer in [min, max]. */
export function parseIntegerParam(raw: string, field: string, min: number, max: number): number {
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw invalid(`${field} must be an integer between ${min} and ${max}`, field);
  return n;
}

export function parseLimit(
  raw: string | undefined,
  max = MAX_LIST_LIMIT,
  fallback = DEFAULT_LIST_LIMIT,
): number {
  return raw === undefined ? fallback : parseIntegerParam(raw, 'limit', 1, max);
}

export function parseCursor(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length === 0 || raw.length > 1024)
    throw invalid('cursor must be a non-empty string from nextCursor', 'cursor');
  return raw;
}

export function parseOneOf<T extends string>(raw: string, field: string, values: readonly T[]): T {
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw invalid(`${field} must be one of ${values.join(', ')}`, field);
}

/** A comma-separated list of at most `max` distinct non-empty items, each checked by `item`. */
export function parseList<T>(raw: string, field: string, max: number, item: (text: string) => T): T[] {
  const parts = raw.split(',');
  if (parts.length > max) throw invalid(`${field} lists more than ${max} items`, field);
  if (parts.some((p) => p.length === 0)) throw invalid(`${field} has an empty item`, field);
  if (new Set(parts).size !== parts.length) throw invalid(`${field} lists an item twice`, field);
  return parts.map(item);
}

const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;
export const MAX_PATH_DEPTH = 8;

/**
 * A plain dotted path into a JSON document (`temperature`, `env.room.temp`): segments of
 * letters, digits, `_` and `-`, at most MAX_PATH_DEPTH of them, none of them a forbidden key.
 */
export function parseFieldPath(raw: string, field: string): string {
  const segments = raw.split('.');
  if (
    segments.length > MAX_PATH_DEPTH ||
    !segments.every((s) => PATH_SEGMENT.test(s) && !isForbiddenKey(s))
  ) {
    throw invalid(
      `${field}: ${JSON.stringify(raw.slice(0, 64))} is not a plain dotted path (segments of A-Z a-z 0-9 _ -, at most ${MAX_PATH_DEPTH})`,
      field,
    );
  }
  return raw;
}

export const ATTRIBUTE_FILTER_PREFIX = 'attr.';

/** `type`, `status`, `lifecycle`, `health`, `alert` and `attr.KEY` query parameters (single strings). */
export function parseTwinFilter(query: Readonly<Record<string, string>>): TwinFilter {
  const filter: TwinFilter = {};
  if (query.type !== undefined) filter.type = parseText(query.type, 'type');
  if (query.status !== undefined) filter.status = parseOneOf(query.status, 'status', CONNECTION_STATUSES);
  if (query.lifecycle !== undefined) filter.lifecycle = parseOneOf(query.lifecycle, 'lifecycle', LIFECYCLES);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!name.startsWith(ATTRIBUTE_FILTER_PREFIX)) continue;
    const key = parseText(name.slice(ATTRIBUTE_FILTER_PREFIX.length), `query parameter ${name} key`);
    if (isForbiddenKey(key)) throw invalid(`query parameter ${name}: key "${key}" is not allowed`);
    attributes[key] = value;
  }
  if (Object.keys(attributes).length > 0) filter.attributes = attributes;
  if (query.health !== undefined) filter.health = parseOneOf(query.health, 'health', HEALTH_FILTERS);
  if (query.alert !== undefined) filter.alert = parseOneOf(query.alert, 'alert', ALERT_FILTERS);
  return filter;
}

/** The query parameters of a filter (the inverse of parseTwinFilter), for forwarding. */
export function twinFilterParams(filter: TwinFilter): Record<string, string> {
  const params: Record<string, string> = {};
  if (filter.type !== undefined) params.type = filter.type;
  if (filter.status !== undefined) params.status = filter.status;
  if (filter.lifecycle !== undefined) params.lifecycle = filter.lifecycle;
  if (filter.health !== undefined) params.health = filter.health;
  if (filter.alert !== undefined) params.alert = filter.alert;
  for (const [k, v] of Object.entries(filter.attributes ?? {})) params[`${ATTRIBUTE_FILTER_PREFIX}${k}`] = v;
  return params;
}

/** 9999-12-31T23:59:59.999Z: the last instant ISO-8601's four-digit years reach. */
export const MAX_QUERY_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH_NUMBER = /^\d{1,16}(\.\d{1,6})?$/;

/**
 * A time in a query string, as epoch ms: what the contract's Times section accepts for a reading
 * (epoch seconds below 1e11, epoch milliseconds, ISO-8601 with a zone), plus a bare date
 * (`2024-02-01`, seed 001's form) meaning its first instant in UTC; up to the year 9999.
 */
export function parseTimeParam(raw: string, field: string): number {
  let ms = NaN;
  try {
    if (EPOCH_NUMBER.test(raw)) ms = parseTimestamp(Number(raw), field);
    else ms = parseTimestamp(DATE_ONLY.test(raw) ? `${raw}T00:00:00Z` : raw, field);
  } catch {
    // refused below
  }
  if (!(ms <= MAX_QUERY_TIME_MS)) {
    throw invalid(
      `${field} must be an ISO-8601 date (2024-02-01) or date-time with a zone, epoch seconds or epoch milliseconds, up to the year 9999`,
      field,
    );
  }
  return ms;
}
