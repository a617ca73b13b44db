import {
  AGGREGATE_FNS,
  CHANGE_KINDS,
  type AggregateQuery,
  type HistoryQuery,
  type Order,
  type TelemetryQuery,
} from '../../topology/history/queries';
import { toIso } from '../../topology/twin';
import type { TelemetryStreamQuery } from '../backend';
import type { QueryParamSpec } from '../route';
import {
  MAX_QUERY_TIME_MS,
  invalid,
  parseCursor,
  parseFieldPath,
  parseIntegerParam,
  parseLimit,
  parseList,
  parseOneOf,
  parseTimeParam,
} from '../validate';

/**
 * The query strings of the history routes: parsing (each refusal names its parameter in
 * `details.field`) and, for forwarding, the inverse (remote-backend.ts), side by side so they
 * cannot drift.
 */

export const MAX_HISTORY_LIMIT = 10_000;
export const DEFAULT_TELEMETRY_LIMIT = 1000;
export const DEFAULT_HISTORY_LIMIT = 100;
export const MAX_BUCKETS = 10_000;
export const MAX_FIELDS = 64;
/** The open end of a range: the last instant a query time can name (parseTimeParam). */
const END_OF_TIME = MAX_QUERY_TIME_MS;
const DEFAULT_AGGREGATE_SPAN_MS = 24 * 3600 * 1000;
const ORDERS: readonly Order[] = ['asc', 'desc'];

type Query = Readonly<Record<string, string>>;

const TIME_SCHEMA = { type: 'string', examples: ['2024-02-01', '2024-02-01T10:30:00Z', '1706783400000'] };
const time = (name: string, description: string): QueryParamSpec => ({
  name,
  description,
  schema: TIME_SCHEMA,
});
const limit = (fallback: number): QueryParamSpec => ({
  name: 'limit',
  description: `Page size, 1..${MAX_HISTORY_LIMIT}`,
  schema: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: fallback },
});
const CURSOR: QueryParamSpec = {
  name: 'cursor',
  description: 'Opaque `nextCursor` of the previous page (same other parameters)',
  schema: { type: 'string' },
};
const ORDER: QueryParamSpec = {
  name: 'order',
  description: 'By time: `asc` (default) or `desc`',
  schema: { enum: [...ORDERS], default: 'asc' },
};
const TIME_HELP = 'ISO-8601 date or date-time with a zone, epoch seconds or epoch ms';

export const TELEMETRY_QUERY: readonly QueryParamSpec[] = [
  time('start', `Inclusive; ${TIME_HELP}; default: the oldest reading kept`),
  time('end', `Exclusive; ${TIME_HELP}; default: no end`),
  {
    name: 'fields',
    description: 'Comma-separated dotted paths of the values to return',
    schema: { type: 'string' },
  },
  limit(DEFAULT_TELEMETRY_LIMIT),
  CURSOR,
  ORDER,
  {
    name: 'format',
    description:
      '`json` (default), `csv` or `ndjson` (both streamed, whole range, no paging); or send `Accept: text/csv`',
    schema: { enum: ['json', 'csv', 'ndjson'] },
  },
];

export const TELEMETRY_AGGREGATE_QUERY: readonly QueryParamSpec[] = [
  { name: 'field', description: 'Dotted path of a numeric value', schema: { type: 'string' } },
  {
    name: 'bucket',
    description: 'Bucket width: `500ms`, `30s`, `1m`, `1h`, `1d`',
    schema: { type: 'string', default: '1m' },
  },
  {
    name: 'fn',
    description: `Comma-separated, of ${AGGREGATE_FNS.join(', ')}`,
    schema: { type: 'string', default: 'avg,min,max,count' },
  },
  time('start', `Inclusive; ${TIME_HELP}; default: 24 hours before end`),
  time('end', `Exclusive; ${TIME_HELP}; default: now`),
];

export const HISTORY_QUERY: readonly QueryParamSpec[] = [
  { name: 'kind', description: `Comma-separated, of ${CHANGE_KINDS.join(', ')}`, schema: { type: 'string' } },
  { name: 'fromVersion', description: 'Inclusive', schema: { type: 'integer', minimum: 0 } },
  { name: 'toVersion', description: 'Inclusive', schema: { type: 'integer', minimum: 0 } },
  time('start', `Change time, inclusive; ${TIME_HELP}`),
  time('end', `Change time, exclusive; ${TIME_HELP}`),
  limit(DEFAULT_HISTORY_LIMIT),
  CURSOR,
  ORDER,
];

export const CHANGES_QUERY: readonly QueryParamSpec[] = [
  {
    name: 'sinceVersion',
    description: 'The version the client has',
    schema: { type: 'integer', minimum: 0 },
  },
];

function optionalTime(query: Query, name: string): number | undefined {
  const raw = query[name];
  return raw === undefined ? undefined : parseTimeParam(raw, name);
}

/** `start` and `end`, with `end` not before `start`. */
function timeRange(query: Query, defaults: { start: number; end: number }): { start: number; end: number } {
  const end = optionalTime(query, 'end') ?? defaults.end;
  const start = optionalTime(query, 'start') ?? Math.min(defaults.start, end);
  if (start > end) throw invalid(`end (${toIso(end)}) is before start (${toIso(start)})`, 'end');
  return { start, end };
}

function order(query: Query): Order {
  return query.order === undefined ? 'asc' : parseOneOf(query.order, 'order', ORDERS);
}

function withCursor<T extends object>(base: T, query: Query): T & { cursor?: string } {
  const cursor = parseCursor(query.cursor);
  return cursor === undefined ? base : { ...base, cursor };
}

export function parseTelemetryQuery(query: Query): TelemetryQuery {
  const parsed: TelemetryQuery = {
    ...timeRange(query, { start: 0, end: END_OF_TIME }),
    limit: parseLimit(query.limit, MAX_HISTORY_LIMIT, DEFAULT_TELEMETRY_LIMIT),
    order: order(query),
  };
  if (query.fields !== undefined)
    parsed.fields = parseList(query.fields, 'fields', MAX_FIELDS, (f) => parseFieldPath(f, 'fields'));
  return withCursor(parsed, query);
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `1m`, `1h`, `1d`, `500ms`. */
export function parseDuration(raw: string, field: string): number {
  const m = /^(\d{1,12})(ms|s|m|h|d)$/.exec(raw);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : 0;
  if (!(ms > 0))
    throw invalid(`${field} must be a positive duration such as 500ms, 30s, 1m, 1h or 1d`, field);
  return ms;
}

export function parseTelemetryAggregateQuery(query: Query, nowMs: number): AggregateQuery {
  if (query.field === undefined) throw invalid('field is required', 'field');
  const field = parseFieldPath(query.field, 'field');
  const bucketMs = parseDuration(query.bucket ?? '1m', 'bucket');
  const fns = parseList(query.fn ?? 'avg,min,max,count', 'fn', AGGREGATE_FNS.length, (f) =>
    parseOneOf(f, 'fn', AGGREGATE_FNS),
  );
  const range = timeRange(query, { start: nowMs - DEFAULT_AGGREGATE_SPAN_MS, end: nowMs });
  const buckets = Math.ceil((range.end - range.start) / bucketMs);
  if (buckets > MAX_BUCKETS)
    throw invalid(`the range holds ${buckets} buckets of ${bucketMs} ms; at most ${MAX_BUCKETS}`, 'bucket');
  return { field, bucketMs, fns, ...range };
}

export function parseHistoryQuery(query: Query): HistoryQuery {
  const parsed: HistoryQuery = {
    limit: parseLimit(query.limit, MAX_HISTORY_LIMIT, DEFAULT_HISTORY_LIMIT),
    order: order(query),
  };
  if (query.kind !== undefined)
    parsed.kinds = parseList(query.kind, 'kind', CHANGE_KINDS.length, (k) =>
      parseOneOf(k, 'kind', CHANGE_KINDS),
    );
  const version = (name: 'fromVersion' | 'toVersion'): void => {
    const raw = query[name];
    if (raw !== undefined) parsed[name] = parseIntegerParam(raw, name, 0, Number.MAX_SAFE_INTEGER);
  };
  version('fromVersion');
  version('toVersion');
  if (
    parsed.fromVersion !== undefined &&
    parsed.toVersion !== undefined &&
    parsed.fromVersion > parsed.toVersion
  )
    throw invalid('toVersion is below fromVersion', 'toVersion');
  const start = optionalTime(query, 'start');
  const end = optionalTime(query, 'end');
  if (start !== undefined && end !== undefined && start > end)
    throw invalid(`end (${toIso(end)}) is before start (${toIso(start)})`, 'end');
  if (start !== undefined) parsed.start = start;
  if (end !== undefined) parsed.end = end;
  return withCursor(parsed, query);
}

export function parseSinceVersion(query: Query): number {
  if (query.sinceVersion === undefined) throw invalid('sinceVersion is required', 'sinceVersion');
  return parseIntegerParam(query.sinceVersion, 'sinceVersion', 0, Number.MAX_SAFE_INTEGER);
}

/* The inverse, for forwarding: query strings that parse back to the same queries. */

export function telemetryStreamParams(q: TelemetryStreamQuery): Record<string, string> {
  return {
    start: toIso(q.start),
    end: toIso(q.end),
    order: q.order,
    ...(q.fields === undefined ? {} : { fields: q.fields.join(',') }),
  };
}

export function telemetryParams(q: TelemetryQuery): Record<string, string> {
  return {
    ...telemetryStreamParams(q),
    limit: String(q.limit),
    ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
  };
}

export function telemetryAggregateParams(q: AggregateQuery): Record<string, string> {
  return {
    field: q.field,
    bucket: `${q.bucketMs}ms`,
    fn: q.fns.join(','),
    start: toIso(q.start),
    end: toIso(q.end),
  };
}

export function historyParams(q: HistoryQuery): Record<string, string> {
  const params: Record<string, string> = { limit: String(q.limit), order: q.order };
  if (q.kinds !== undefined) params.kind = q.kinds.join(',');
  if (q.fromVersion !== undefined) params.fromVersion = String(q.fromVersion);
  if (q.toVersion !== undefined) params.toVersion = String(q.toVersion);
  if (q.start !== undefined) params.start = toIso(q.start);
  if (q.end !== undefined) params.end = toIso(q.end);
  if (q.cursor !== undefined) params.cursor = q.cursor;
  return params;
}
