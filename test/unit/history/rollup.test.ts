import type { AggregateBucket, AggregateQuery, HistoryQueries } from '../../../topology/history/queries';
import { ROLLUP_START_KEY } from '../../../topology/history/keys';
import { TaskDriver } from '../../support/task-driver';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;
const FNS = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last'] as const;

function historyOf(d: TaskDriver): HistoryQueries {
  if (d.task.history === undefined) throw new Error('the driver has no history');
  return d.task.history;
}

/** The plain reference: the buckets of `q` folded from the readings the store answers, one by one. */
async function reference(d: TaskDriver, id: string, q: AggregateQuery): Promise<AggregateBucket[]> {
  const { points } = await historyOf(d).telemetry(id, {
    start: q.start,
    end: q.end,
    limit: 10_000,
    order: 'asc',
  });
  const out: AggregateBucket[] = [];
  for (let s = q.start; s < q.end; s += q.bucketMs) {
    const end = Math.min(q.end, s + q.bucketMs);
    const xs = points
      .filter((p) => p.timestamp >= s && p.timestamp < end)
      .map((p) => p.values[q.field])
      .filter((v): v is number => typeof v === 'number');
    const has = xs.length > 0;
    const sum = xs.reduce((a, x) => a + x, 0);
    out.push({
      start: s,
      end,
      count: xs.length,
      sum: has ? sum : null,
      avg: has ? sum / xs.length : null,
      min: has ? Math.min(...xs) : null,
      max: has ? Math.max(...xs) : null,
      // Points come in time order, ties in arrival order: the first and last of the bucket.
      first: has ? xs[0]! : null,
      last: has ? xs[xs.length - 1]! : null,
    });
  }
  return out;
}

/** Exact but for sums and averages, which roll-ups add in another order (a few ulps). */
function expectSame(got: AggregateBucket[], want: AggregateBucket[]): void {
  const round = (b: AggregateBucket): AggregateBucket => ({
    ...b,
    sum: b.sum == null ? null : Number(b.sum.toPrecision(12)),
    avg: b.avg == null ? null : Number(b.avg.toPrecision(12)),
  });
  expect(got.map(round)).toEqual(want.map(round));
}

async function aggregate(d: TaskDriver, id: string, q: AggregateQuery): Promise<AggregateBucket[]> {
  return historyOf(d).aggregate(id, q);
}

/** Readings over `minutes` minutes, a few per minute, some sent late and out of order. */
async function readings(d: TaskDriver, id: string, minutes: number): Promise<void> {
  for (let i = 0; i < minutes * 4; i++) {
    d.clock.advance(15_000);
    const t = d.clock.ms - (i % 3) * 25_000;
    await d.pipe('telemetry', { deviceId: id, value: { temperature: (i * 37) % 23, timestamp: t } });
    if (i % 5 === 4) {
      // A late reading into a minute long past, and one with no temperature.
      const late = d.clock.ms - 9 * MIN - (i % 4) * 1000;
      await d.pipe('telemetry', { deviceId: id, value: { temperature: 100 + i, timestamp: late } });
      await d.pipe('telemetry', { deviceId: id, value: { humidity: i, timestamp: late + 1 } });
    }
  }
}

describe('per-minute roll-ups of readings', () => {
  it('answer minute buckets as the readings do, out-of-order and late readings included', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await readings(d, 'dev-1', 30);
    const q = {
      field: 'temperature',
      bucketMs: MIN,
      fns: [...FNS],
      start: T0 - 20 * MIN,
      end: T0 + 40 * MIN,
    };
    const want = await reference(d, 'dev-1', q);
    expect(want.reduce((n, b) => n + b.count, 0)).toBeGreaterThan(120);
    expectSame(await aggregate(d, 'dev-1', q), want);
    const fiveMinutes = { ...q, bucketMs: 5 * MIN };
    const want5 = await reference(d, 'dev-1', fiveMinutes);
    expectSame(await aggregate(d, 'dev-1', fiveMinutes), want5);
    // The roll-ups alone answer: with every reading gone from the store, the answer stays.
    const store = d.historyStorage.store;
    const keys: string[] = [];
    for await (const [key] of store.iterate()) if (key.includes('|r|')) keys.push(key);
    await store.write(keys.map((key) => ({ key, value: null })));
    expectSame(await aggregate(d, 'dev-1', q), want);
    expectSame(await aggregate(d, 'dev-1', fiveMinutes), want5);
    await d.close();
  });

  it('fall back to the readings for buckets that are not whole minutes, and for the edges', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await readings(d, 'dev-1', 12);
    for (const q of [
      { bucketMs: 90_000, start: T0 - 10 * MIN, end: T0 + 14 * MIN },
      { bucketMs: MIN, start: T0 - 10 * MIN + 20_000, end: T0 + 14 * MIN },
      { bucketMs: 2 * MIN, start: T0 - 10 * MIN, end: T0 + 13 * MIN + 30_000 },
    ]) {
      const full = { ...q, field: 'temperature', fns: [...FNS] };
      expectSame(await aggregate(d, 'dev-1', full), await reference(d, 'dev-1', full));
    }
    await d.close();
  });

  it('count a reading once when its batch is folded again after a restart (at_least_once)', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    const batch = [5, 7, 9].map((v, i) => ({
      deviceId: 'dev-1',
      value: { temperature: v, timestamp: T0 + i },
    }));
    await d.pipeBatch('telemetry', batch);
    const restarted = await TaskDriver.start({
      startMs: d.clock.ms,
      history: {},
      changelog: d.changelog(),
      historyChangelog: d.historyChangelog(),
    });
    await restarted.pipeBatch('telemetry', batch, { fromOffset: 0 });
    const q = { field: 'temperature', bucketMs: MIN, fns: [...FNS], start: T0, end: T0 + MIN };
    const [b] = await aggregate(restarted, 'dev-1', q);
    expect(b).toMatchObject({ count: 3, sum: 21, min: 5, max: 9, first: 5, last: 9 });
    expectSame([b!], await reference(restarted, 'dev-1', q));
    await d.close();
    await restarted.close();
  });

  it('leave out readings past their retention, across expiry buckets and after a restore', async () => {
    // 10 minutes of retention: 75 s expiry buckets, so a minute's readings span two of them.
    const history = { defaultMs: 10 * MIN };
    const d = await TaskDriver.start({ startMs: T0, history });
    await readings(d, 'dev-1', 14);
    const q = {
      field: 'temperature',
      bucketMs: MIN,
      fns: [...FNS],
      start: T0 - 10 * MIN,
      end: T0 + 16 * MIN,
    };
    for (const step of [0, 20_000, 25_000, 40_000]) {
      d.clock.advance(step);
      expectSame(await aggregate(d, 'dev-1', q), await reference(d, 'dev-1', q));
    }
    const restored = await TaskDriver.start({
      startMs: d.clock.ms,
      history,
      changelog: d.changelog(),
      historyChangelog: d.historyChangelog(),
    });
    expectSame(await aggregate(restored, 'dev-1', q), await reference(d, 'dev-1', q));
    await d.task.sweepHistory();
    expectSame(await aggregate(d, 'dev-1', q), await reference(d, 'dev-1', q));
    await d.close();
    await restored.close();
  });

  it('are not trusted for the minutes an older twinfold may have written readings of', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await readings(d, 'dev-1', 5);
    // A changelog written before roll-ups existed: readings and changes only.
    const old = d.historyChangelog().filter((e) => !e.key.includes('|m|') && e.key !== ROLLUP_START_KEY);
    const upgraded = await TaskDriver.start({
      startMs: d.clock.ms,
      history: {},
      changelog: d.changelog(),
      historyChangelog: old,
    });
    await readings(upgraded, 'dev-1', 3);
    const q = {
      field: 'temperature',
      bucketMs: MIN,
      fns: [...FNS],
      start: T0 - 10 * MIN,
      end: T0 + 10 * MIN,
    };
    const want = await reference(upgraded, 'dev-1', q);
    expect(want.reduce((n, b) => n + b.count, 0)).toBeGreaterThan(25);
    expectSame(await aggregate(upgraded, 'dev-1', q), want);
    await d.close();
    await upgraded.close();
  });
});
