import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createLogger } from '../shared/logger';
import { HistoryMetrics } from '../topology/history/metrics';
import { PartitionHistory } from '../topology/history/partition-history';
import type { HistoryWrite } from '../topology/history/recorder';
import { RetentionPolicy } from '../topology/history/retention';
import { HistoryStore } from '../topology/task/history-store';
import { levelStorage } from '../topology/task/storage';
import type { BenchContext } from './context';
import { telemetryEntries } from './history-entries';
import type { Figure } from './report';
import { round, summarize } from './stats';

const DAY = 86_400_000;
const MINUTE = 60_000;
const NEIGHBOURS = 20;

async function openStore(dir: string, now: () => number): Promise<HistoryStore> {
  const store = new HistoryStore({
    storage: levelStorage(dir, 'history-bench'),
    changelogTopic: 'history-bench',
    partition: 0,
    now,
    metrics: new HistoryMetrics(new Registry()),
    log: createLogger({ write: () => undefined }),
  });
  await store.open({ dropCheckpoint: true });
  return store;
}

/**
 * Writes entries through the stores' own commit path, 5,000 per commit: all of them into `store`,
 * the readings alone into `readingsOnly`.
 */
async function fill(
  store: HistoryStore,
  readingsOnly: HistoryStore,
  entries: Iterable<HistoryWrite>,
): Promise<{ written: number; readings: number }> {
  let written = 0;
  let readings = 0;
  const commit = async (): Promise<void> => {
    await Promise.all([store.prepare(), readingsOnly.prepare()]);
    await Promise.all([store.committed([], undefined), readingsOnly.committed([], undefined)]);
  };
  for (const e of entries) {
    store.add([e]);
    written += 1;
    if (e.kind === 'reading') {
      readingsOnly.add([e]);
      readings += 1;
    }
    if (written % 5000 === 0) await commit();
  }
  await commit();
  return { written, readings };
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  await fn(); // warm up
  for (let i = 0; i < runs; i++) {
    const began = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - began) / 1e6);
  }
  return samples;
}

/**
 * The history queries on one partition's LevelDB history store, in this process (no HTTP): one
 * device with `dayReadings` telemetry messages over the last day among 20 neighbours sending
 * as much together; p99 of a `queryPoints`-point telemetry page and of a 1-day, 1-minute-bucket
 * aggregate; disk bytes per stored reading (store closed and reopened, so LevelDB's log is in tables).
 */
export async function historyLocalBench(
  ctx: BenchContext,
): Promise<{ figures: Figure[]; setup: Record<string, string | number> }> {
  const { dayReadings, queryPoints, queryRuns } = ctx.sizes.history;
  const retention = new RetentionPolicy({ defaultMs: 30 * DAY, byType: new Map() });
  // A whole number of minutes: the aggregate's buckets are whole minutes, which roll-ups answer.
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const dayStart = now - DAY;
  const step = DAY / dayReadings;
  const id = 'bench-device';
  // The neighbours together send as much as the queried device.
  const neighbourMessages = Math.ceil(dayReadings / NEIGHBOURS);
  const neighbourStep = Math.floor(DAY / neighbourMessages);
  const all = function* () {
    yield* telemetryEntries(retention, id, dayReadings, (i) => Math.round(dayStart + i * step));
    for (let n = 0; n < NEIGHBOURS; n++)
      yield* telemetryEntries(
        retention,
        `neighbour-${n}`,
        neighbourMessages,
        (i) => dayStart + i * neighbourStep + n,
      );
  };
  const store = await openStore(join(ctx.workDir, 'history-local', 'all'), () => now);
  const readingsOnly = await openStore(join(ctx.workDir, 'history-local', 'readings'), () => now);
  const began = Date.now();
  const { written, readings } = await fill(store, readingsOnly, all());
  const writeSeconds = (Date.now() - began) / 1000;
  const bytes = async (s: HistoryStore, dir: string): Promise<number> => {
    await s.writeCheckpoint();
    await s.close();
    const reopened = await openStore(dir, () => now);
    const size = await levelStorage(dir, 'x').bytesOnDisk();
    await reopened.close();
    return size;
  };
  const history = new PartitionHistory(
    store,
    async () => undefined,
    () => now,
  );
  const windowMs = queryPoints * step;
  let offset = 0;
  const telemetry = await timed(queryRuns, async () => {
    offset = (offset + 7919 * step) % (DAY - windowMs);
    const start = Math.round(dayStart + offset);
    const page = await history.telemetry(id, {
      start,
      end: start + windowMs,
      limit: queryPoints,
      order: 'asc',
    });
    if (page.points.length < queryPoints * 0.99)
      throw new Error(`telemetry query returned ${page.points.length} points`);
  });
  const aggregateOf = (start: number) => async (): Promise<void> => {
    const buckets = await history.aggregate(id, {
      field: 'temperature',
      bucketMs: MINUTE,
      fns: ['avg', 'min', 'max', 'count', 'first', 'last'],
      start,
      end: start + DAY,
    });
    const counted = buckets.reduce((n, b) => n + b.count, 0);
    const expected = dayReadings - Math.ceil((start - dayStart) / step);
    if (counted !== expected) throw new Error(`aggregate counted ${counted} readings, not ${expected}`);
  };
  const aggregate = await timed(queryRuns, aggregateOf(dayStart));
  // Buckets that do not start on a minute read every reading (roll-ups cannot split a minute).
  const unaligned = await timed(Math.min(queryRuns, 10), aggregateOf(dayStart + 1000));
  const allBytes = await bytes(store, join(ctx.workDir, 'history-local', 'all'));
  const readingBytes = await bytes(readingsOnly, join(ctx.workDir, 'history-local', 'readings'));
  const t = summarize(telemetry);
  const a = summarize(aggregate);
  const u = summarize(unaligned);
  ctx.say(`history queries: telemetry p99 ${t.p99} ms, aggregate p99 ${a.p99} ms`);
  return {
    setup: {
      'query store': `1 LevelDB history store, ${written} entries (${readings} readings): 1 device x ${dayReadings} + ${NEIGHBOURS} x ${neighbourMessages} telemetry messages over one day, written in ${round(writeSeconds)} s`,
      'query runs': `${queryRuns} each after one warm-up, in-process (no HTTP), sequential`,
    },
    figures: [
      {
        name: `history telemetry query of ${queryPoints} points p99`,
        value: t.p99,
        unit: 'ms',
        target: { op: '<=', value: 50 },
        note: `p50 ${t.p50} ms, max ${t.max} ms`,
      },
      {
        name: `history 1-day 1-minute aggregate over ${dayReadings} readings p99`,
        value: a.p99,
        unit: 'ms',
        target: { op: '<=', value: 100 },
        note: `minute-aligned buckets (roll-ups); p50 ${a.p50} ms, max ${a.max} ms; buckets starting 1 s into a minute (readings): p50 ${u.p50} ms`,
      },
      {
        name: 'history disk bytes per stored reading',
        value: round(readingBytes / readings),
        unit: 'B',
        note: `readings alone; ${round(allBytes / readings)} B per telemetry message with its change entry`,
      },
    ],
  };
}
