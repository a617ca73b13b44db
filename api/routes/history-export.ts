import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { TelemetryPoint } from '../../topology/history/queries';
import type { Backend, TelemetryStreamQuery } from '../backend';
import { splitPath, valueAt } from '../../topology/history/values';
import { pointToJson } from '../history-wire';
import type { RouteResult } from '../route';
import { invalid } from '../validate';

/**
 * Telemetry exports (`format=csv` / `format=ndjson`): the whole range, streamed from the history
 * store (or the owner's stream, forwarded) to the client with back-pressure, a batch of rows at a
 * time, never the range in memory. Every error a client can get comes before the first byte.
 */

export const EXPORT_FORMATS = ['json', 'csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Columns of a CSV export before the value columns. */
export const CSV_FIXED_COLUMNS = ['timestamp', 'receivedAt', 'source', 'clock'] as const;
/** Most value columns a CSV export without `fields` takes from the range. */
export const MAX_CSV_COLUMNS = 1000;
const ROWS_PER_CHUNK = 256;

/** One CSV cell (RFC 4180): objects and arrays as JSON, absent and null as empty. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `columns`: the path of each value column (a discovered name is one member, even with a dot). */
export function csvRow(point: TelemetryPoint, columns: readonly (readonly string[])[]): string {
  const json = pointToJson(point);
  const fixed = [json.timestamp, json.receivedAt, json.source, json.clock];
  return [...fixed, ...columns.map((c) => valueAt(point.values, c))].map(csvCell).join(',') + '\r\n';
}

/** The top-level value names of every point in the range, in first-seen order (a first pass). */
async function columnsOf(points: AsyncIterable<TelemetryPoint>): Promise<string[]> {
  const seen = new Set<string>();
  for await (const point of points) {
    for (const key of Object.keys(point.values)) {
      if (seen.has(key)) continue;
      if (seen.size === MAX_CSV_COLUMNS)
        throw invalid(
          `the range has more than ${MAX_CSV_COLUMNS} value names; pick some with fields=`,
          'fields',
        );
      seen.add(key);
    }
  }
  return [...seen];
}

export async function* batched(lines: AsyncIterable<string>, header?: string): AsyncIterable<string> {
  let chunk = header ?? '';
  let rows = 0;
  for await (const line of lines) {
    chunk += line;
    if (++rows % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function* mapLines(
  points: AsyncIterable<TelemetryPoint>,
  line: (p: TelemetryPoint) => string,
): AsyncIterable<string> {
  for await (const point of points) yield line(point);
}

export function streamed(contentType: string, body: AsyncIterable<string>): RouteResult {
  return {
    stream: (res: Response) => {
      res.status(200).type(contentType);
      // A client that goes away ends the pipeline, which closes the store's iterator.
      void pipeline(Readable.from(body), res).catch(() => undefined);
    },
  };
}

/**
 * The export of `id`'s readings, or undefined when the twin is unknown. Without `fields`, a CSV
 * takes its columns from a first pass over the range: a value first seen by the second pass
 * (written meanwhile) has no column.
 */
export async function telemetryExport(
  backend: Backend,
  id: string,
  query: TelemetryStreamQuery,
  format: Exclude<ExportFormat, 'json'>,
): Promise<RouteResult | undefined> {
  if (format === 'ndjson') {
    const points = await backend.telemetryStream(id, query);
    const line = (p: TelemetryPoint): string => `${JSON.stringify(pointToJson(p))}\n`;
    return points && streamed('application/x-ndjson', batched(mapLines(points, line)));
  }
  let names = query.fields;
  if (names === undefined) {
    const firstPass = await backend.telemetryStream(id, query);
    if (!firstPass) return undefined;
    names = await columnsOf(firstPass);
  }
  const paths = query.fields === undefined ? names.map((n) => [n]) : names.map(splitPath);
  const points = await backend.telemetryStream(id, query);
  if (!points) return undefined;
  const header = [...CSV_FIXED_COLUMNS, ...names].map(csvCell).join(',') + '\r\n';
  return streamed(
    'text/csv; charset=utf-8',
    batched(
      mapLines(points, (p) => csvRow(p, paths)),
      header,
    ),
  );
}
