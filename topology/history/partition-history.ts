import { TwinfoldError } from '../../shared/errors';
import type { JsonObject } from '../../shared/json';
import { liveTwin, toTwinDocument, type StoredTwin, type TwinDocument } from '../twin';
import type { HistoryStore } from '../task/history-store';
import { Aggregator } from './aggregate';
import { badCursor, decodeCursor, encodeCursor, type CursorScope } from './cursor';
import { applyEdit, mergePatchBetween, toMergePatch } from './edit';
import { decodeChange, decodeReading, type ChangeEntry, type ReadingEntry } from './entries';
import { afterPosition, boundHex12, deviceRange, hex12, readingPosition } from './keys';
import {
  MAX_AGGREGATE_BUCKETS,
  MAX_PAGE_LIMIT,
  type AggregateBucket,
  type AggregateQuery,
  type ChangeRecord,
  type ChangesSince,
  type HistoryPage,
  type HistoryQueries,
  type HistoryQuery,
  type Order,
  type TelemetryPage,
  type TelemetryPoint,
  type TelemetryQuery,
} from './queries';
import { asJson } from './recorder';
import { decodeRollUpField, firstRolledUpMinute, ROLLUP_MS, type RollUpOfField } from './rollup';
import { mergedBatches, mergedScan, prefetched } from './scan';
import { project, splitPath, valueAt } from './values';

const STREAM_BATCH = 1000;
/** A day of one bucket's roll-ups in one store read. */
const ROLLUP_BATCH = 1440;
const READING_POSITION = /^[0-9a-f]{12}\|[ts][0-9a-f]{16}$/;
const VERSION_POSITION = /^[0-9a-f]{12}$/;

const byReading = (a: ReadingEntry, b: ReadingEntry): number =>
  a.t - b.t || (a.o < b.o ? -1 : a.o > b.o ? 1 : 0);
const byVersion = (a: ChangeEntry, b: ChangeEntry): number => a.n - b.n;

/**
 * The history reads of one partition task (HistoryQueries): one device's readings, aggregates and
 * versions from the task's history store, and its twin at an earlier version or time, rebuilt by
 * walking back from the twin in the store with the entries' backward edits. Entries past their
 * expiry are never returned, whether or not the sweep has deleted them yet.
 */
export class PartitionHistory implements HistoryQueries {
  constructor(
    private readonly store: HistoryStore,
    private readonly readTwin: (id: string) => Promise<StoredTwin | undefined>,
    private readonly now: () => number,
  ) {}

  async telemetry(id: string, q: TelemetryQuery): Promise<TelemetryPage> {
    checkLimit(q.limit);
    const scope: CursorScope = { kind: 'telemetry', deviceId: id, order: q.order };
    const after = q.cursor === undefined ? undefined : this.readingCursor(scope, q.cursor, q.start, q.end);
    const points: TelemetryPoint[] = [];
    let last: ReadingEntry | undefined;
    for await (const batch of this.points(id, q, after, Math.min(q.limit + 1, STREAM_BATCH))) {
      for (let i = 0; i < batch.points.length; i++) {
        if (points.length === q.limit) {
          return { points, nextCursor: encodeCursor(scope, readingPosition(last!.t, last!.o)) };
        }
        points.push(batch.points[i]!);
        last = batch.entries[i];
      }
    }
    return { points, nextCursor: null };
  }

  async *telemetryStream(
    id: string,
    q: Omit<TelemetryQuery, 'limit' | 'cursor'>,
  ): AsyncIterable<TelemetryPoint> {
    for await (const batch of this.points(id, q, undefined, STREAM_BATCH)) yield* batch.points;
  }

  async aggregate(id: string, q: AggregateQuery): Promise<AggregateBucket[]> {
    if (!(q.bucketMs >= 1) || !(q.end > q.start) || (q.end - q.start) / q.bucketMs > MAX_AGGREGATE_BUCKETS) {
      throw new TwinfoldError(
        'VALIDATION_ERROR',
        `a range of 1 to ${MAX_AGGREGATE_BUCKETS} buckets is needed`,
        {
          details: { field: 'bucket' },
        },
      );
    }
    const agg = new Aggregator(q.start, q.end, q.bucketMs);
    const now = this.now();
    const ranges = await this.addRollUps(agg, id, q, now);
    const path = splitPath(q.field);
    for (const [from, to] of ranges) await this.addReadings(agg, id, path, from, to, now);
    return agg.buckets(q.fns);
  }

  /**
   * Adds the roll-ups of the whole minutes of `q` to `agg` when its buckets are whole minutes
   * (rollup.ts); returns the time ranges left to read from the readings: all of `q` when roll-ups
   * cannot answer it, else its edges and every minute whose roll-up cannot be used (a reading of it
   * expired, or it left the field out).
   */
  private async addRollUps(
    agg: Aggregator,
    id: string,
    q: AggregateQuery,
    now: number,
  ): Promise<[number, number][]> {
    const start = this.store.rollups.start;
    if (start === undefined || q.bucketMs % ROLLUP_MS !== 0 || q.start % ROLLUP_MS !== 0)
      return [[q.start, q.end]];
    const from = Math.max(q.start, firstRolledUpMinute(start));
    const to = q.start + Math.floor((q.end - q.start) / ROLLUP_MS) * ROLLUP_MS;
    if (from >= to) return [[q.start, q.end]];
    const byMinute = new Map<number, RollUpOfField[]>();
    for (const bucket of this.store.buckets.prefixes()) {
      const range = deviceRange(bucket, 'm', id, boundHex12(from), boundHex12(to));
      for await (const batch of prefetched(this.store.store.iterateValues(range, ROLLUP_BATCH))) {
        for (const text of batch) {
          const r = decodeRollUpField(text, q.field);
          const same = byMinute.get(r.minute);
          if (same) same.push(r);
          else byMinute.set(r.minute, [r]);
        }
      }
    }
    const ranges: [number, number][] = [[q.start, from]];
    const raw = (a: number, b: number): void => {
      const last = ranges[ranges.length - 1]!;
      if (last[1] === a) last[1] = b;
      else ranges.push([a, b]);
    };
    for (const m of [...byMinute.keys()].sort((a, b) => a - b)) {
      const rs = byMinute.get(m)!;
      if (rs.some((r) => r.x <= now || (r.partial && r.summary === undefined))) {
        raw(m, m + ROLLUP_MS);
        continue;
      }
      for (const r of rs) if (r.summary) agg.addSummary(m, r.summary);
    }
    raw(to, q.end);
    return ranges.filter(([a, b]) => b > a);
  }

  /** Adds the numeric values at `path` of the readings of `[from, to)` to `agg`. */
  private async addReadings(
    agg: Aggregator,
    id: string,
    path: readonly string[],
    from: number,
    to: number,
    now: number,
  ): Promise<void> {
    for (const bucket of this.store.buckets.prefixes()) {
      const range = deviceRange(bucket, 'r', id, boundHex12(from), boundHex12(to));
      for await (const batch of prefetched(this.store.store.iterateValues(range, STREAM_BATCH))) {
        for (const text of batch) {
          const e = decodeReading(text);
          if (e.x <= now) continue;
          const v = valueAt(e.v, path);
          if (typeof v === 'number') agg.add(e.t, e.o, v);
        }
      }
    }
  }

  async history(id: string, q: HistoryQuery): Promise<HistoryPage> {
    checkLimit(q.limit);
    const scope: CursorScope = { kind: 'history', deviceId: id, order: q.order };
    let low = q.fromVersion ?? 0;
    let high = q.toVersion ?? Number.MAX_SAFE_INTEGER;
    if (q.cursor !== undefined) {
      const position = decodeCursor(scope, q.cursor);
      if (!VERSION_POSITION.test(position)) throw badCursor('is malformed');
      const version = parseInt(position, 16);
      if (version < low || version > high) throw badCursor('lies outside the version range asked');
      if (q.order === 'asc') low = version + 1;
      else high = version - 1;
    }
    const kinds = q.kinds && new Set(q.kinds);
    const now = this.now();
    const changes: ChangeRecord[] = [];
    const batchSize = Math.min(q.limit + 1, STREAM_BATCH);
    for await (const e of this.changes(id, low, high, q.order === 'desc', batchSize)) {
      if (e.x <= now) continue;
      if (kinds && !e.k.some((k) => kinds.has(k))) continue;
      if ((q.start !== undefined && e.t < q.start) || (q.end !== undefined && e.t >= q.end)) continue;
      if (changes.length === q.limit) {
        return { changes, nextCursor: encodeCursor(scope, hex12(changes[changes.length - 1]!.version)) };
      }
      changes.push(changeRecord(e));
    }
    return { changes, nextCursor: null };
  }

  async changesSince(id: string, sinceVersion: number): Promise<ChangesSince | undefined> {
    const twin = liveTwin(await this.readTwin(id));
    if (twin === undefined) return undefined;
    if (sinceVersion > twin.version) {
      throw new TwinfoldError(
        'VALIDATION_ERROR',
        `twin ${id} is at version ${twin.version}, not ${sinceVersion} yet`,
        {
          details: { field: 'sinceVersion', version: twin.version },
        },
      );
    }
    const now = toTwinDocument(twin);
    const walk = await this.walkBack(id, twin.version, asJson(now), (e) => e.n <= sinceVersion);
    if (walk.version > sinceVersion) return { kind: 'gone', oldestVersion: walk.version };
    return {
      kind: 'patch',
      fromVersion: sinceVersion,
      version: twin.version,
      patch: mergePatchBetween(walk.document, asJson(now)!),
    };
  }

  async twinAt(id: string, atMs: number): Promise<TwinDocument | undefined> {
    const stored = await this.readTwin(id);
    const live = liveTwin(stored);
    const version = stored === undefined ? 0 : stored.version;
    const current = live === undefined ? undefined : asJson(toTwinDocument(live));
    const walk = await this.walkBack(id, version, current, (e) => e.t <= atMs);
    if (!walk.stopped && walk.version > 0) {
      throw new TwinfoldError(
        'GONE',
        `history of twin ${id} does not reach back to ${new Date(atMs).toISOString()}`,
        {
          details: { oldestVersion: walk.version, oldestTimestamp: walk.oldestTime ?? null },
        },
      );
    }
    return walk.document as unknown as TwinDocument | undefined;
  }

  /**
   * The twin document walked back from `version` (`document`, undefined: none) one version at a
   * time, undoing each change until `stop` holds for the next one (`stopped`), or the history held
   * ends: at version 0 (before the twin ever existed), or at a version whose change is missing,
   * expired or too large to undo. `version` is where the walk ended, `oldestTime` the time of the
   * last change undone.
   */
  private async walkBack(
    id: string,
    version: number,
    document: JsonObject | undefined,
    stop: (e: ChangeEntry) => boolean,
  ): Promise<{ version: number; document: JsonObject | undefined; stopped: boolean; oldestTime?: number }> {
    const now = this.now();
    let doc = document;
    let expected = version;
    let oldestTime: number | undefined;
    if (expected === 0) return { version: 0, document: undefined, stopped: false };
    for await (const e of this.changes(id, 0, version, true, 64)) {
      if (e.n !== expected || e.x <= now) break;
      if (stop(e))
        return {
          version: expected,
          document: doc,
          stopped: true,
          ...(oldestTime === undefined ? {} : { oldestTime }),
        };
      if (e.u === undefined) break;
      doc = applyEdit(doc, e.u) as JsonObject | undefined;
      expected -= 1;
      oldestTime = e.t;
      if (expected === 0) return { version: 0, document: undefined, stopped: false, oldestTime };
    }
    return {
      version: expected,
      document: doc,
      stopped: false,
      ...(oldestTime === undefined ? {} : { oldestTime }),
    };
  }

  private changes(
    id: string,
    low: number,
    high: number,
    reverse: boolean,
    batchSize: number,
  ): AsyncGenerator<ChangeEntry> {
    if (high < low) return (async function* () {})();
    const range = {
      kind: 'c' as const,
      deviceId: id,
      from: boundHex12(low),
      to: boundHex12(high + 1),
      reverse,
      batchSize,
    };
    return mergedScan(this.store.store, this.store.buckets.prefixes(), range, decodeChange, byVersion);
  }

  /** The points of a query (and their entries, for cursors), a store batch at a time. */
  private async *points(
    id: string,
    q: { start: number; end: number; fields?: readonly string[]; order: Order },
    after: string | undefined,
    batchSize: number,
  ): AsyncGenerator<{ entries: ReadingEntry[]; points: TelemetryPoint[] }> {
    const reverse = q.order === 'desc';
    let from = boundHex12(q.start);
    let to = boundHex12(q.end);
    if (after !== undefined) {
      if (reverse) to = after;
      else from = afterPosition(after);
    }
    const paths = q.fields?.map(splitPath);
    const now = this.now();
    const range = { kind: 'r' as const, deviceId: id, from, to, reverse, batchSize };
    const prefixes = this.store.buckets.prefixes();
    for await (const batch of mergedBatches(this.store.store, prefixes, range, decodeReading, byReading)) {
      const entries: ReadingEntry[] = [];
      const points: TelemetryPoint[] = [];
      for (const e of batch) {
        if (e.x <= now) continue;
        const values = paths === undefined ? e.v : project(e.v, paths);
        if (values === undefined) continue;
        const point: TelemetryPoint = {
          timestamp: e.t,
          receivedAt: e.r,
          source: e.s === 't' ? 'telemetry' : 'state',
          values,
        };
        if (e.c === 1) point.clock = 'receive';
        entries.push(e);
        points.push(point);
      }
      if (points.length > 0) yield { entries, points };
    }
  }

  /** The position of a telemetry cursor, checked against the query's range. */
  private readingCursor(scope: CursorScope, cursor: string, start: number, end: number): string {
    const position = decodeCursor(scope, cursor);
    if (!READING_POSITION.test(position)) throw badCursor('is malformed');
    const t = parseInt(position.slice(0, 12), 16);
    if (t < start || t >= end) throw badCursor('lies outside the time range asked');
    return position;
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new TwinfoldError('VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`, {
      details: { field: 'limit' },
    });
  }
}

function changeRecord(e: ChangeEntry): ChangeRecord {
  return {
    version: e.n,
    timestamp: e.t,
    kinds: e.k,
    patch: toMergePatch(e.f),
    actor: e.a,
    ...(e.w === undefined ? {} : { reason: e.w }),
    ...(e.f !== undefined && 'd' in e.f ? { deleted: true as const } : {}),
    ...(e.f === undefined && e.u === undefined ? { patchOmitted: true as const } : {}),
  };
}
