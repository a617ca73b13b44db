import { TwinfoldError } from '../../shared/errors';
import { duration } from '../../shared/env-parsers';
import { csvHeader, csvLine, jsonLine, type DatasetRow } from '../datasets/behaviour-rows';
import type { BehaviourRowSource } from '../datasets/kafka-behaviour-rows';
import type { RouteSpec } from '../route';
import { invalid, parseOneOf, parseTimeParam } from '../validate';
import { API_PREFIX } from './common';
import { batched, streamed } from './history-export';

/** What `GET /datasets/behaviour` reads: the rows and the service's behaviour window (undefined: off). */
export interface BehaviourDatasets {
  windowMs: number | undefined;
  source: BehaviourRowSource;
}

export const DATASET_FORMATS = ['csv', 'jsonl'] as const;

const TIME = { type: 'string', description: 'ISO-8601 date or date-time with a zone, or epoch s / ms' };

async function* lines(
  rows: AsyncIterable<DatasetRow>,
  line: (r: DatasetRow) => string,
): AsyncIterable<string> {
  for await (const row of rows) yield line(row);
}

/** `GET /datasets/behaviour?start=&end=&window=&format=`: one row per device per window. */
export function datasetRoutes(datasets: BehaviourDatasets | undefined, now: () => Date): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/datasets/behaviour`,
      operationId: 'behaviourDataset',
      tag: 'behaviour',
      summary: 'The network-behaviour dataset: one row per device per window, features and label',
      description:
        "Streams every `behaviour.window` event of `device.events` whose window starts in [start, end): the columns of docs/contract.md's Network behaviour table after `deviceId`, in the order they were written (per device: by window). Any instance answers (it reads the topic itself). `window` must be the service's `BEHAVIOUR_WINDOW`; 501 BEHAVIOUR_DISABLED with `BEHAVIOUR=off`.",
      access: 'read',
      query: [
        { name: 'start', description: 'Windows starting at or after this (required)', schema: TIME },
        { name: 'end', description: 'Windows starting before this (default: now)', schema: TIME },
        {
          name: 'window',
          description: "The window length (`60s`, `5m`, `500ms`): the service's BEHAVIOUR_WINDOW",
          schema: { type: 'string' },
        },
        {
          name: 'format',
          description: 'csv (header line, then rows) or jsonl (one JSON object a line)',
          schema: { enum: [...DATASET_FORMATS], default: 'csv' },
        },
      ],
      response: {
        status: 200,
        description: 'The rows, streamed',
        schema: { type: 'string' },
        contentType: 'text/csv',
      },
      async handle({ query }) {
        if (query.start === undefined) throw invalid('start is required', 'start');
        const startMs = parseTimeParam(query.start, 'start');
        const endMs = query.end === undefined ? now().getTime() : parseTimeParam(query.end, 'end');
        if (!(endMs > startMs)) throw invalid('end must be after start', 'end');
        const format = parseOneOf(query.format ?? 'csv', 'format', DATASET_FORMATS);
        if (datasets === undefined)
          throw new TwinfoldError('NOT_READY', 'this instance has no dataset source', { retriable: true });
        const { windowMs, source } = datasets;
        if (windowMs === undefined)
          throw new TwinfoldError('BEHAVIOUR_DISABLED', 'network behaviour is off (BEHAVIOUR=off)');
        if (query.window !== undefined) {
          let asked: number;
          try {
            asked = duration(1)(query.window);
          } catch (err) {
            throw invalid(`window ${(err as Error).message}`, 'window');
          }
          if (asked !== windowMs)
            throw new TwinfoldError(
              'VALIDATION_ERROR',
              `window must be the service's BEHAVIOUR_WINDOW (${windowMs} ms); windows of other lengths are not kept`,
              { details: { field: 'window', windowMs } },
            );
        }
        const rows = source.rows({ startMs, endMs });
        return format === 'csv'
          ? streamed('text/csv; charset=utf-8', batched(lines(rows, csvLine), csvHeader()))
          : streamed('application/x-ndjson', batched(lines(rows, jsonLine)));
      },
    },
  ];
}
