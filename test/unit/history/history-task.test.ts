import type { CommitUnit } from '../../../topology/task/committer';
import type { HistoryQueries, TelemetryPoint } from '../../../topology/history/queries';
import { TaskDriver } from '../../support/task-driver';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const DAY = 86_400_000;

function historyOf(d: TaskDriver): HistoryQueries {
  if (d.task.history === undefined) throw new Error('the driver has no history');
  return d.task.history;
}

/** Every entry of the history store, as [key, value] text. */
async function storeContents(d: TaskDriver): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [key, value] of d.historyStorage.store.iterate()) out.push([key, value.toString('utf8')]);
  return out;
}

/** A mixed workload over a few devices: readings, state, registry, desired, a delete and a re-create. */
async function workload(d: TaskDriver): Promise<void> {
  await d.pipe('registry', { deviceId: 'dev-2', value: { op: 'create', type: 'camera' } });
  for (let i = 0; i < 30; i++) {
    d.clock.advance(1000);
    const id = `dev-${i % 3}`;
    await d.pipe('telemetry', { deviceId: id, value: { temperature: 20 + i, timestamp: d.clock.ms - 500 } });
    if (i % 7 === 0)
      await d.pipe('state', { deviceId: id, value: { state: { mode: `m${i}` }, version: i + 1 } });
    if (i % 5 === 0)
      await d.pipe('desired', {
        deviceId: id,
        value: { patch: { interval: i } },
        headers: { 'twinfold.actor': 'alice', 'twinfold.reason': `tune ${i}` },
      });
    if (i === 17) await d.pipe('registry', { deviceId: 'dev-1', value: { op: 'delete' } });
  }
}

describe('history in the partition task (task driver)', () => {
  it('commits the history entries in the same unit as the twin changelog and the outputs', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    const units: CommitUnit[] = [];
    const send = d.committer.send.bind(d.committer);
    d.committer.send = (unit) => (units.push(unit), send(unit));
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { temperature: 21 } });
    expect(units).toHaveLength(1);
    expect(units[0]!.records.map((r) => r.topic).sort()).toEqual(
      ['driver-history-changelog', 'driver-twin-store-changelog', 'device.twins', 'device.events'].sort(),
    );
    const history = units[0]!.records.find((r) => r.topic === 'driver-history-changelog')!;
    // The reading, the change, when the store started rolling up readings, the reading's minute.
    expect(history.messages.map((m) => String(m.key).split('|')[1] ?? String(m.key))).toEqual([
      'r',
      'c',
      '~rollup-start',
      'm',
    ]);
    expect(history.messages.every((m) => m.timestamp !== undefined)).toBe(true);
    await d.close();
  });

  it('leaves no history entry after a failed commit, and one after its retry', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    d.committer.failNext(new Error('transaction aborted'));
    const batch = [{ deviceId: 'dev-1', value: { temperature: 21 } }];
    await expect(d.pipeBatch('telemetry', batch)).rejects.toThrow('transaction aborted');
    expect(await storeContents(d)).toEqual([]);
    expect(d.historyChangelog()).toEqual([]);
    const q = { start: 0, end: T0 + DAY, limit: 10, order: 'asc' as const };
    expect((await historyOf(d).telemetry('dev-1', q)).points).toEqual([]);
    await d.pipeBatch('telemetry', batch, { fromOffset: 0 });
    expect((await historyOf(d).telemetry('dev-1', q)).points).toHaveLength(1);
    expect((await historyOf(d).history('dev-1', { limit: 10, order: 'asc' })).changes).toHaveLength(1);
    // The reading, its change and roll-up, and the roll-up start.
    expect(await storeContents(d)).toHaveLength(4);
    expect(d.historyChangelog()).toHaveLength(4);
    await d.close();
  });

  it('restores from its changelog to the same store and the same answers', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await workload(d);
    const answers = async (x: TaskDriver): Promise<unknown[]> => {
      const h = historyOf(x);
      const out: unknown[] = [];
      for (const id of ['dev-0', 'dev-1', 'dev-2']) {
        out.push(await h.telemetry(id, { start: 0, end: T0 + DAY, limit: 1000, order: 'asc' }));
        out.push(await h.history(id, { limit: 1000, order: 'desc' }));
        out.push(await h.changesSince(id, 2));
        out.push(await h.twinAt(id, T0 + 10_500));
      }
      return out;
    };
    const before = await answers(d);
    const contents = await storeContents(d);
    expect(contents.length).toBeGreaterThan(60);
    const restored = await TaskDriver.start({
      startMs: d.clock.ms,
      history: {},
      changelog: d.changelog(),
      historyChangelog: d.historyChangelog(),
    });
    expect(await storeContents(restored)).toEqual(contents);
    expect(await answers(restored)).toEqual(before);
    await d.close();
    await restored.close();
  });

  it('does not restore expired entries, and sweeps them from the store bucket by bucket', async () => {
    const byType = new Map([['camera', 2000]]);
    const d = await TaskDriver.start({ startMs: T0, history: { defaultMs: 60_000, byType } });
    await d.pipe('registry', { deviceId: 'cam-1', value: { op: 'create', type: 'camera' } });
    await d.pipe('telemetry', { deviceId: 'cam-1', value: { frames: 1 } });
    await d.pipe('telemetry', { deviceId: 'sen-1', value: { temperature: 1 } });
    const range = { start: 0, end: T0 + DAY, limit: 10, order: 'asc' as const };
    expect((await historyOf(d).telemetry('cam-1', range)).points).toHaveLength(1);
    d.clock.advance(5000);
    // Expired entries are not answered even before the sweep ran.
    expect((await historyOf(d).telemetry('cam-1', range)).points).toEqual([]);
    expect((await historyOf(d).telemetry('sen-1', range)).points).toHaveLength(1);
    const restored = await TaskDriver.start({
      startMs: d.clock.ms,
      history: { defaultMs: 60_000, byType },
      changelog: d.changelog(),
      historyChangelog: d.historyChangelog(),
    });
    const keys = (await storeContents(restored)).map(([k]) => k);
    expect(keys.some((k) => k.includes('|cam-1|'))).toBe(false);
    expect(keys.filter((k) => k.includes('|sen-1|'))).toHaveLength(3);
    // The sweep deletes the expired buckets, and nothing else.
    const live = (await storeContents(d)).filter(([k]) => !k.includes('|cam-1|'));
    expect((await storeContents(d)).length - live.length).toBe(4);
    await d.task.sweepHistory();
    expect(await storeContents(d)).toEqual(live);
    await d.close();
    await restored.close();
  });

  it('records who made each change and why', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await d.pipe('registry', {
      deviceId: 'dev-1',
      value: { op: 'create' },
      headers: { 'twinfold.actor': 'ops@example.com' },
    });
    await d.pipe('desired', {
      deviceId: 'dev-1',
      value: { patch: { interval: 10 } },
      headers: { 'twinfold.actor': 'alice', 'twinfold.reason': 'slower sampling' },
    });
    await d.pipe('desired', { deviceId: 'dev-1', value: { patch: { interval: 20 } } });
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { temperature: 21 } });
    const { changes } = await historyOf(d).history('dev-1', { limit: 10, order: 'asc' });
    expect(changes.map((c) => [c.version, c.actor, c.reason, c.kinds])).toEqual([
      [1, 'ops@example.com', undefined, ['lifecycle']],
      [2, 'alice', 'slower sampling', ['desired']],
      [3, 'unknown', undefined, ['desired']],
      [4, 'device', undefined, ['reported', 'lifecycle', 'connection']],
    ]);
    expect(changes[1]!.patch).toMatchObject({
      desired: { interval: 10 },
      delta: { interval: 10 },
      version: 2,
    });
    await d.close();
  });

  it('dead-letters an application record whose actor header is invalid', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await d.pipe('registry', {
      deviceId: 'dev-1',
      value: { op: 'create' },
      headers: { 'twinfold.actor': 'a\nb' },
    });
    expect(d.deadLetters().map((l) => l.code)).toEqual(['VALIDATION_ERROR']);
    expect(await storeContents(d)).toEqual([]);
    await d.close();
  });

  it('pages readings in both orders with cursors, and projects fields', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    for (let i = 0; i < 25; i++) {
      d.clock.advance(1000);
      await d.pipe('telemetry', {
        deviceId: 'dev-1',
        value: { temperature: i, humidity: 50, timestamp: d.clock.ms },
      });
    }
    const h = historyOf(d);
    const all = async (order: 'asc' | 'desc'): Promise<TelemetryPoint[]> => {
      const points: TelemetryPoint[] = [];
      let cursor: string | undefined;
      do {
        const page = await h.telemetry('dev-1', {
          start: T0,
          end: T0 + 20_001,
          limit: 7,
          order,
          ...(cursor ? { cursor } : {}),
        });
        points.push(...page.points);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return points;
    };
    const asc = await all('asc');
    expect(asc.map((p) => p.values.temperature)).toEqual([...Array(20).keys()]);
    expect((await all('desc')).map((p) => p.values.temperature)).toEqual([...Array(20).keys()].reverse());
    const projected = await h.telemetry('dev-1', {
      start: T0,
      end: T0 + 3000,
      fields: ['humidity'],
      limit: 5,
      order: 'asc',
    });
    expect(projected.points.map((p) => p.values)).toEqual([{ humidity: 50 }, { humidity: 50 }]);
    const streamed: TelemetryPoint[] = [];
    for await (const p of h.telemetryStream('dev-1', { start: T0, end: T0 + 20_001, order: 'asc' }))
      streamed.push(p);
    expect(streamed).toEqual(asc);
    const page = await h.telemetry('dev-1', { start: T0, end: T0 + 20_001, limit: 7, order: 'asc' });
    await expect(
      h.telemetry('dev-1', {
        start: T0 + 15_000,
        end: T0 + 20_001,
        limit: 7,
        order: 'asc',
        cursor: page.nextCursor!,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'cursor' } });
    await expect(
      h.telemetry('dev-2', { start: T0, end: T0 + 20_001, limit: 7, order: 'asc', cursor: page.nextCursor! }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'cursor' } });
    await d.close();
  });

  it('aggregates what a plain array of the readings aggregates', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    const readings: { t: number; v: number }[] = [];
    for (let i = 0; i < 400; i++) {
      const t = T0 + ((i * 7919) % 300) * 2000; // out of order, every time twice
      const v = ((i * 31) % 17) - 5;
      readings.push({ t, v });
      await d.pipe('telemetry', {
        deviceId: 'dev-1',
        value: { sensor: { v }, timestamp: t },
        timestampMs: T0 + 600_000,
      });
    }
    const start = T0 + 30_000;
    const end = T0 + 500_000;
    const bucketMs = 60_000;
    const buckets = await historyOf(d).aggregate('dev-1', {
      field: 'sensor.v',
      bucketMs,
      fns: ['avg', 'min', 'max', 'count', 'first', 'last', 'sum'],
      start,
      end,
    });
    const expected = [];
    for (let b = start; b < end; b += bucketMs) {
      const inside = readings.filter((r) => r.t >= b && r.t < Math.min(end, b + bucketMs));
      // Arrival order breaks ties of equal times: the later record is the later reading.
      const byTime = inside.map((r, i) => ({ ...r, i })).sort((x, y) => x.t - y.t || x.i - y.i);
      const vs = inside.map((r) => r.v);
      const sum = vs.reduce((a, x) => a + x, 0);
      expected.push({
        start: b,
        end: Math.min(end, b + bucketMs),
        count: vs.length,
        avg: vs.length ? sum / vs.length : null,
        min: vs.length ? Math.min(...vs) : null,
        max: vs.length ? Math.max(...vs) : null,
        sum: vs.length ? sum : null,
        first: byTime[0]?.v ?? null,
        last: byTime[byTime.length - 1]?.v ?? null,
      });
    }
    expect(buckets).toEqual(expected);
    await d.close();
  });

  it('rebuilds the twin at a time or version, and says gone past the history held', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: { defaultMs: 10_000 } });
    const docs: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      d.clock.advance(3000);
      await d.pipe('telemetry', { deviceId: 'dev-1', value: { temperature: i } });
      docs.push(d.twins().at(-1)!.document);
    }
    const h = historyOf(d);
    // Changes at T0+3s .. T0+18s; now T0+18s, retention 10 s: versions 3.. are held (made after T0+8s).
    expect(await h.twinAt('dev-1', T0 + 12_500)).toEqual(docs[3]);
    expect(await h.twinAt('dev-1', d.clock.ms)).toEqual(docs[5]);
    await expect(h.twinAt('dev-1', T0 + 4000)).rejects.toMatchObject({
      code: 'GONE',
      details: { oldestVersion: 2 },
    });
    expect(await h.changesSince('dev-1', 1)).toEqual({ kind: 'gone', oldestVersion: 2 });
    const since = await h.changesSince('dev-1', 4);
    expect(since).toMatchObject({ kind: 'patch', fromVersion: 4, version: 6 });
    expect(since).toMatchObject({ patch: { reported: { temperature: 5 }, version: 6 } });
    expect(await h.changesSince('dev-1', 6)).toEqual({
      kind: 'patch',
      fromVersion: 6,
      version: 6,
      patch: {},
    });
    expect(await h.changesSince('dev-9', 0)).toBeUndefined();
    await d.close();
  });

  it('refuses a bad limit or bucket count with VALIDATION_ERROR, and takes any version bound', async () => {
    const d = await TaskDriver.start({ startMs: T0, history: {} });
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 1 } });
    const h = historyOf(d);
    const range = { start: 0, end: T0 + 1 };
    await expect(h.telemetry('dev-1', { ...range, limit: 0, order: 'asc' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { field: 'limit' },
    });
    await expect(h.history('dev-1', { limit: 10_001, order: 'asc' })).rejects.toMatchObject({
      details: { field: 'limit' },
    });
    const agg = { field: 't', fns: ['avg' as const], ...range };
    await expect(h.aggregate('dev-1', { ...agg, bucketMs: 0 })).rejects.toMatchObject({
      details: { field: 'bucket' },
    });
    await expect(h.aggregate('dev-1', { ...agg, bucketMs: 1000 })).rejects.toMatchObject({
      details: { field: 'bucket' },
    });
    const page = await h.history('dev-1', {
      fromVersion: 0,
      toVersion: Number.MAX_SAFE_INTEGER - 1,
      limit: 5,
      order: 'asc',
    });
    expect(page.changes.map((c) => c.version)).toEqual([1]);
    await d.close();
  });
});
