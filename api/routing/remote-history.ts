import { createInterface } from 'node:readline';
import { isTwinfoldError } from '../../shared/errors';
import type {
  AggregateBucket,
  AggregateQuery,
  ChangesSince,
  HistoryPage,
  HistoryQuery,
  TelemetryPage,
  TelemetryPoint,
  TelemetryQuery,
} from '../../topology/history/queries';
import type { HistoryReader, TelemetryStreamQuery } from '../backend';
import type { FleetAggregatePage, FleetAggregateQuery, FleetGroup } from '../fleet-aggregate';
import { fleetQueryParams } from '../routes/aggregate-query';
import {
  bucketFromJson,
  changeFromJson,
  pointFromJson,
  type AggregateBucketJson,
  type ChangeRecordJson,
  type TelemetryPointJson,
} from '../history-wire';
import type { JsonObject } from '../json';
import { API_PREFIX } from '../routes/common';
import {
  historyParams,
  telemetryAggregateParams,
  telemetryParams,
  telemetryStreamParams,
} from '../routes/history-query';
import type { TwinDocument } from '../twin-document';
import type { PeerClient, PeerRequest } from './peer-client';

export const twinPath = (id: string, rest = ''): string =>
  `${API_PREFIX}/twins/${encodeURIComponent(id)}${rest}`;

/** undefined instead of the 404 of a missing twin or command, as the TwinReader contract says. */
export async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isTwinfoldError(err) && (err.code === 'TWIN_NOT_FOUND' || err.code === 'COMMAND_NOT_FOUND'))
      return undefined;
    throw err;
  }
}

/** The points of an NDJSON body, one per line; destroys the body when the reader stops early. */
async function* ndjsonPoints(
  body: NodeJS.ReadableStream & { destroy(): void },
): AsyncIterable<TelemetryPoint> {
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.length > 0) yield pointFromJson(JSON.parse(line) as TelemetryPointJson);
    }
  } finally {
    lines.close();
    body.destroy();
  }
}

/**
 * History reads of another instance, over its REST API (the requests the history routes take),
 * with the one-hop marker. The base of RemoteBackend.
 */
export class RemoteHistory implements HistoryReader {
  constructor(
    protected readonly client: PeerClient,
    readonly url: string,
  ) {}

  protected read<T>(operation: string, path: string, extra: Partial<PeerRequest> = {}): Promise<T> {
    return this.client.send(this.url, {
      operation,
      method: 'GET',
      path,
      idempotent: true,
      ...extra,
    }) as Promise<T>;
  }

  async telemetry(id: string, query: TelemetryQuery): Promise<TelemetryPage | undefined> {
    const page = await orUndefined(
      this.read<{ telemetry: TelemetryPointJson[]; nextCursor: string | null }>(
        'telemetry',
        twinPath(id, '/telemetry'),
        {
          query: telemetryParams(query),
        },
      ),
    );
    return page && { points: page.telemetry.map(pointFromJson), nextCursor: page.nextCursor };
  }

  async telemetryStream(
    id: string,
    query: TelemetryStreamQuery,
  ): Promise<AsyncIterable<TelemetryPoint> | undefined> {
    const body = await orUndefined(
      this.client.openStream(this.url, {
        operation: 'telemetryStream',
        method: 'GET',
        path: twinPath(id, '/telemetry'),
        query: { ...telemetryStreamParams(query), format: 'ndjson' },
        idempotent: true,
      }),
    );
    return body && ndjsonPoints(body);
  }

  async telemetryAggregate(id: string, query: AggregateQuery): Promise<AggregateBucket[] | undefined> {
    const answer = await orUndefined(
      this.read<{ buckets: AggregateBucketJson[] }>(
        'telemetryAggregate',
        twinPath(id, '/telemetry/aggregate'),
        {
          query: telemetryAggregateParams(query),
        },
      ),
    );
    return answer?.buckets.map(bucketFromJson);
  }

  async history(id: string, query: HistoryQuery): Promise<HistoryPage | undefined> {
    const page = await orUndefined(
      this.read<{ changes: ChangeRecordJson[]; nextCursor: string | null }>(
        'history',
        twinPath(id, '/history'),
        {
          query: historyParams(query),
        },
      ),
    );
    return page && { changes: page.changes.map(changeFromJson), nextCursor: page.nextCursor };
  }

  async changesSince(id: string, sinceVersion: number): Promise<ChangesSince | undefined> {
    try {
      const answer = await orUndefined(
        this.read<{ fromVersion: number; version: number; patch: JsonObject }>(
          'changesSince',
          twinPath(id, '/changes'),
          {
            query: { sinceVersion: String(sinceVersion) },
          },
        ),
      );
      return (
        answer && {
          kind: 'patch',
          fromVersion: answer.fromVersion,
          version: answer.version,
          patch: answer.patch,
        }
      );
    } catch (err) {
      const oldest = isTwinfoldError(err) && err.code === 'GONE' ? err.details?.oldestVersion : undefined;
      if (typeof oldest === 'number') return { kind: 'gone', oldestVersion: oldest };
      throw err;
    }
  }

  twinAt(id: string, atMs: number): Promise<TwinDocument | undefined> {
    return orUndefined(
      this.read<TwinDocument>('twinAt', twinPath(id), { query: { at: new Date(atMs).toISOString() } }),
    );
  }

  async aggregateTwins(query: FleetAggregateQuery): Promise<FleetAggregatePage> {
    const answer = await this.read<{ partials: FleetGroup[]; partitions?: number[] }>(
      'aggregateTwins',
      `${API_PREFIX}/twins/aggregate`,
      { query: fleetQueryParams(query) },
    );
    return {
      groups: answer.partials,
      ...(answer.partitions === undefined ? {} : { partitions: answer.partitions }),
    };
  }
}
