/**
 * What the query API asks of a partition's history (see topology/history/README.md). One
 * implementation per running task, reached through `LocalTwinQueries.history(id)`. Times are epoch
 * milliseconds; ranges are `[start, end)`. A cursor is opaque: a malformed or tampered one (wrong
 * device, garbage, out of range) throws `VALIDATION_ERROR` with `details.field = 'cursor'`.
 */
import type { JsonObject } from '../../shared/json';
import type { TwinDocument } from '../twin';

export type Order = 'asc' | 'desc';

/** Most points or changes in one page (`limit`). */
export const MAX_PAGE_LIMIT = 10_000;
/** Most buckets of one aggregate. */
export const MAX_AGGREGATE_BUCKETS = 10_000;

export interface TelemetryQuery {
  /** ms, inclusive. */
  start: number;
  /** ms, exclusive. */
  end: number;
  /** Dotted paths into the reading's values; absent = all values. */
  fields?: readonly string[];
  limit: number;
  cursor?: string;
  order: Order;
}

export interface TelemetryPoint {
  /** Device time of the reading as folded (the receive time when the device clock was not trusted). */
  timestamp: number;
  /** Broker (receive) time of the record. */
  receivedAt: number;
  source: 'telemetry' | 'state';
  values: JsonObject;
  /** `receive`: the device's clock was not trusted, `timestamp` is the receive time. */
  clock?: 'receive';
}

export interface TelemetryPage {
  points: TelemetryPoint[];
  nextCursor: string | null;
}

export const AGGREGATE_FNS = ['avg', 'min', 'max', 'count', 'first', 'last', 'sum'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];

export interface AggregateQuery {
  /** Dotted path of a numeric value; non-numeric values are not counted. */
  field: string;
  bucketMs: number;
  fns: readonly AggregateFn[];
  start: number;
  end: number;
}

/** One bucket `[start, end)`; `count` is always present, the others when asked (null: no value). */
export interface AggregateBucket {
  start: number;
  end: number;
  count: number;
  avg?: number | null;
  min?: number | null;
  max?: number | null;
  first?: number | null;
  last?: number | null;
  sum?: number | null;
}

export const CHANGE_KINDS = [
  'reported',
  'desired',
  'attributes',
  'lifecycle',
  'commands',
  'connection',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface HistoryQuery {
  /** Only changes touching one of these kinds; absent = all. */
  kinds?: readonly ChangeKind[];
  /** Inclusive version bounds. */
  fromVersion?: number;
  toVersion?: number;
  /** Change time (record time), `[start, end)`. */
  start?: number;
  end?: number;
  limit: number;
  cursor?: string;
  order: Order;
}

export interface ChangeRecord {
  version: number;
  /** The change's time: the record time of the input (or the timer's time). */
  timestamp: number;
  kinds: ChangeKind[];
  /** RFC 7386 merge patch from the previous version's twin document to this version's. */
  patch: JsonObject;
  /** `device`, `system` (timers), or the API token's subject. */
  actor: string;
  reason?: string;
  /** The change deleted the twin (its patch is empty). */
  deleted?: true;
  /** The change was too large to keep its patch (over 512 KiB); `patch` is empty. */
  patchOmitted?: true;
}

export interface HistoryPage {
  changes: ChangeRecord[];
  nextCursor: string | null;
}

/**
 * `patch`: the merge patch taking the twin document at `fromVersion` to the current one at
 * `version` (empty when already current). `gone`: `fromVersion` is older than the history held;
 * `oldestVersion` is the oldest version a client can still ask from.
 */
export type ChangesSince =
  | { kind: 'patch'; fromVersion: number; version: number; patch: JsonObject }
  | { kind: 'gone'; oldestVersion: number };

export interface HistoryQueries {
  telemetry(id: string, q: TelemetryQuery): Promise<TelemetryPage>;
  /** Every point in the range in order, without holding them in memory (CSV export). */
  telemetryStream(id: string, q: Omit<TelemetryQuery, 'limit' | 'cursor'>): AsyncIterable<TelemetryPoint>;
  aggregate(id: string, q: AggregateQuery): Promise<AggregateBucket[]>;
  history(id: string, q: HistoryQuery): Promise<HistoryPage>;
  /** undefined: no such twin. */
  changesSince(id: string, sinceVersion: number): Promise<ChangesSince | undefined>;
  /**
   * The twin document as it was at `atMs`; undefined if it did not exist then. Throws `GONE`
   * (410, `details.oldestTimestamp`) when `atMs` is older than the history held for the twin.
   */
  twinAt(id: string, atMs: number): Promise<TwinDocument | undefined>;
}
