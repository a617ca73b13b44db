import type { Request } from 'express';
import { TwinfoldError } from '../../shared/errors';
import { toIso } from '../../topology/twin';
import { bucketToJson, changeToJson, pointToJson } from '../history-wire';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { parseOneOf } from '../validate';
import { API_PREFIX, type RouteDeps } from './common';
import { EXPORT_FORMATS, telemetryExport, type ExportFormat } from './history-export';
import {
  CHANGES_QUERY,
  HISTORY_QUERY,
  TELEMETRY_AGGREGATE_QUERY,
  TELEMETRY_QUERY,
  parseHistoryQuery,
  parseSinceVersion,
  parseTelemetryAggregateQuery,
  parseTelemetryQuery,
} from './history-query';

const MEDIA_TYPES: Readonly<Record<string, ExportFormat>> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
};

/** `format=`, else the best of the Accept header, else JSON. */
function exportFormat(req: Request, raw: string | undefined): ExportFormat {
  if (raw !== undefined) return parseOneOf(raw, 'format', EXPORT_FORMATS);
  const best = req.accepts(Object.keys(MEDIA_TYPES));
  return (best && MEDIA_TYPES[best]) || 'json';
}

function notFound(id: string): TwinfoldError {
  return new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} not found`);
}

/** The past of one twin: its readings, their aggregates, its versions and what changed since one. */
export function historyRoutes({ backend, now }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/telemetry/aggregate`,
      operationId: 'aggregateTelemetry',
      tag: 'history',
      summary: 'Readings of one field downsampled into time buckets',
      description: 'Buckets `[start, end)` of `bucket` width from `start`; at most 10,000 buckets.',
      access: 'read',
      query: TELEMETRY_AGGREGATE_QUERY,
      response: { status: 200, description: 'The buckets', schema: ref('TelemetryAggregate') },
      async handle({ params, query }) {
        const id = params.id!;
        const q = parseTelemetryAggregateQuery(query, now().getTime());
        const buckets = await backend.telemetryAggregate(id, q);
        if (!buckets) throw notFound(id);
        return {
          data: {
            twin_id: id,
            field: q.field,
            bucketMs: q.bucketMs,
            start: toIso(q.start),
            end: toIso(q.end),
            buckets: buckets.map(bucketToJson),
          },
        };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/telemetry`,
      operationId: 'getTelemetry',
      tag: 'history',
      summary: 'Readings (telemetry and state) of one twin in a time range',
      description:
        'JSON pages (`nextCursor`), or the whole range streamed as CSV (`format=csv` or `Accept: text/csv`) or NDJSON (`format=ndjson`).',
      access: 'read',
      query: TELEMETRY_QUERY,
      response: { status: 200, description: 'One page of readings', schema: ref('TelemetryList') },
      async handle({ req, params, query }) {
        const id = params.id!;
        const format = exportFormat(req, query.format);
        const { limit, cursor, ...range } = parseTelemetryQuery(query);
        if (format !== 'json') {
          if (cursor !== undefined)
            throw new TwinfoldError('VALIDATION_ERROR', 'an export takes no cursor', {
              details: { field: 'cursor' },
            });
          const result = await telemetryExport(backend, id, range, format);
          if (!result) throw notFound(id);
          return result;
        }
        const page = await backend.telemetry(id, {
          ...range,
          limit,
          ...(cursor === undefined ? {} : { cursor }),
        });
        if (!page) throw notFound(id);
        return {
          data: {
            twin_id: id,
            count: page.points.length,
            telemetry: page.points.map(pointToJson),
            nextCursor: page.nextCursor,
          },
        };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/history`,
      operationId: 'getTwinHistory',
      tag: 'history',
      summary: "The twin's changes: version, time, kinds, merge patch, who and why",
      access: 'read',
      query: HISTORY_QUERY,
      response: { status: 200, description: 'One page of changes', schema: ref('HistoryList') },
      async handle({ params, query }) {
        const id = params.id!;
        const page = await backend.history(id, parseHistoryQuery(query));
        if (!page) throw notFound(id);
        return {
          data: {
            twin_id: id,
            count: page.changes.length,
            changes: page.changes.map(changeToJson),
            nextCursor: page.nextCursor,
          },
        };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/changes`,
      operationId: 'getTwinChanges',
      tag: 'history',
      summary: 'The one merge patch from `sinceVersion` to the current twin',
      description:
        'Apply `patch` (RFC 7386) to the twin document at `sinceVersion` to get the document at `version`. 410 GONE (`details.oldestVersion`) when `sinceVersion` is older than the history kept.',
      access: 'read',
      query: CHANGES_QUERY,
      response: { status: 200, description: 'The patch and the current version', schema: ref('TwinChanges') },
      errors: ['GONE'],
      async handle({ params, query }) {
        const id = params.id!;
        const since = await backend.changesSince(id, parseSinceVersion(query));
        if (!since) throw notFound(id);
        if (since.kind === 'gone') {
          throw new TwinfoldError(
            'GONE',
            `twin ${id}: history starts at version ${since.oldestVersion}; read the whole twin instead`,
            { details: { oldestVersion: since.oldestVersion } },
          );
        }
        const { fromVersion, version, patch } = since;
        return { data: { twin_id: id, fromVersion, version, patch } };
      },
    },
  ];
}
