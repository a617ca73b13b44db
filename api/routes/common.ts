import { TwinfoldError } from '../../shared/errors';
import type { Backend, ReadOptions, TwinListQuery } from '../backend';
import type { EventSource } from '../events/event-source';
import type { QueryParamSpec, RouteResult } from '../route';
import type { TwinDocument } from '../twin-document';
import { CONNECTION_STATUSES, LIFECYCLES } from '../twin-document';
import { ALERT_FILTERS, HEALTH_FILTERS } from '../twin-filter';
import {
  ATTRIBUTE_FILTER_PREFIX,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  parseCursor,
  parseLimit,
  parseTwinFilter,
} from '../validate';
import { assertMinVersion } from './read-your-writes';

export const API_PREFIX = '/api/v1';

/** What every route factory needs. */
export interface RouteDeps {
  backend: Backend;
  now: () => Date;
  /** Live changes (Server-Sent Events); absent: the event routes answer 503. */
  events?: EventSource;
}

/** The twin or TWIN_NOT_FOUND; with `options.minVersion`, the twin at that version or TIMEOUT. */
export async function requireTwin(
  backend: Backend,
  id: string,
  options: ReadOptions = {},
): Promise<TwinDocument> {
  const twin = await backend.getTwin(id, options);
  if (!twin && options.minVersion !== undefined) assertMinVersion(id, 0, options);
  if (!twin) throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} not found`);
  assertMinVersion(id, twin.version, options);
  return twin;
}

/** Writes go through Kafka: the API accepts them and the twin reflects them shortly after. */
export function accepted(data: unknown, headers?: Record<string, string>): RouteResult {
  return headers ? { status: 202, data, headers } : { status: 202, data };
}

export function twinUrl(id: string): string {
  return `${API_PREFIX}/twins/${encodeURIComponent(id)}`;
}

/** Query parameters of the fleet lists (`GET /twins`, `GET /devices`). */
export const LIST_QUERY: readonly QueryParamSpec[] = [
  { name: 'type', description: 'Only twins of this device type', schema: { type: 'string' } },
  { name: 'status', description: 'Connection status', schema: { enum: [...CONNECTION_STATUSES] } },
  { name: 'lifecycle', description: 'Lifecycle state', schema: { enum: [...LIFECYCLES] } },
  {
    name: 'health',
    description: "The traits' health as the document shows it; UNKNOWN: no traits yet",
    schema: { enum: [...HEALTH_FILTERS] },
  },
  {
    name: 'alert',
    description: 'Has an open alert of this type (any: any alert)',
    schema: { enum: [...ALERT_FILTERS] },
  },
  {
    name: ATTRIBUTE_FILTER_PREFIX,
    prefix: true,
    description: 'Attribute equality, one parameter per key: `attr.location=Room%20A`',
    schema: { type: 'string' },
  },
  {
    name: 'limit',
    description: `Page size, 1..${MAX_LIST_LIMIT}`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT },
  },
  { name: 'cursor', description: 'Opaque `nextCursor` of the previous page', schema: { type: 'string' } },
];

export function parseListQuery(query: Readonly<Record<string, string>>): TwinListQuery {
  const cursor = parseCursor(query.cursor);
  const list: TwinListQuery = { limit: parseLimit(query.limit), filter: parseTwinFilter(query) };
  if (cursor !== undefined) list.cursor = cursor;
  return list;
}
