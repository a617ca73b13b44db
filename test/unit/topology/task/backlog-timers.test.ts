import { TaskDriver, type PipedRecord } from '../../../support/task-driver';

/** The fake wall clock's start; no real clock is involved anywhere in these tests. */
const T0 = Date.UTC(2030, 0, 1);
const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const OFFLINE_AFTER = 5 * MIN;

/** A device's telemetry every `everyMs` in [from, to). */
function speaking(deviceId: string, from: number, to: number, everyMs: number): PipedRecord[] {
  const out: PipedRecord[] = [];
  for (let t = from; t < to; t += everyMs) out.push({ deviceId, value: { n: out.length }, timestampMs: t });
  return out;
}

/**
 * Catches up `records` (sorted by time) in batches of `size`, telling the task how many still wait,
 * and runs the timers after every batch as the wall-clock tick would.
 */
async function catchUp(d: TaskDriver, records: PipedRecord[], size: number): Promise<void> {
  d.observeBacklog('telemetry', records.length);
  await d.tick();
  for (let i = 0; i < records.length; i += size) {
    const batch = records.slice(i, i + size);
    await d.pipeBatch('telemetry', batch, { behind: records.length - i - batch.length });
    await d.tick();
  }
}

const unknownEvents = (d: TaskDriver) => d.events().filter((e) => e.type === 'connection.unknown');

describe('PartitionTask timers while catching up a backlog', () => {
  it('marks no device unknown that kept speaking while the processor was down for a day', async () => {
    const d = await TaskDriver.start({ startMs: T0, foldConfig: { offlineAfterMs: OFFLINE_AFTER } });
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { n: -1 }, timestampMs: T0 });
    // The processor is down for a day; the device speaks every 3 minutes all along.
    d.clock.advance(24 * HOUR);
    await catchUp(d, speaking('dev-1', T0 + 3 * MIN, T0 + 24 * HOUR, 3 * MIN), 40);

    expect(unknownEvents(d)).toEqual([]);
    const twin = await d.twin('dev-1');
    expect(twin?.connection.status).toBe('online');
    expect(d.twins().every((t) => t.document?.connection !== undefined)).toBe(true);
    // Caught up, the wall clock rules again: real silence from now on is noticed.
    d.clock.advance(OFFLINE_AFTER);
    await d.tick();
    expect(unknownEvents(d)).toHaveLength(1);
  });

  it('marks a device that fell silent inside the backlog unknown, as of its silence, before it spoke again', async () => {
    const d = await TaskDriver.start({ startMs: T0, foldConfig: { offlineAfterMs: OFFLINE_AFTER } });
    d.clock.advance(6 * HOUR);
    // dev-1 speaks every 2 minutes throughout; dev-2 for the first hour, then 2 hours of silence.
    const records = [
      ...speaking('dev-1', T0, T0 + 6 * HOUR, 2 * MIN),
      ...speaking('dev-2', T0, T0 + HOUR, 2 * MIN),
      ...speaking('dev-2', T0 + 3 * HOUR, T0 + 6 * HOUR, 2 * MIN),
    ].sort((a, b) => a.timestampMs! - b.timestampMs!);
    await catchUp(d, records, 10);

    const lastHeard = T0 + HOUR - 2 * MIN;
    const events = d.events().filter((e) => e.key === 'dev-2');
    expect(unknownEvents(d).map((e) => [e.key, e.data.since])).toEqual([
      ['dev-2', new Date(lastHeard + OFFLINE_AFTER).toISOString()],
    ]);
    const unknownAt = Date.parse(unknownEvents(d)[0]!.timestamp);
    // Noticed as the backlog passed the deadline (within one batch: 10 records of dev-1 alone span
    // 20 minutes), not at the wall clock's time and not only when dev-2 spoke again.
    expect(unknownAt).toBeGreaterThan(lastHeard + OFFLINE_AFTER);
    expect(unknownAt).toBeLessThanOrEqual(lastHeard + OFFLINE_AFTER + 20 * MIN);
    const types = events.map((e) => e.type);
    expect(types.indexOf('connection.unknown')).toBeLessThan(types.lastIndexOf('connected'));
    expect((await d.twin('dev-2'))?.connection.status).toBe('online');
  });

  it('holds the timers until a backlogged input has folded a record, so its time is known', async () => {
    const d = await TaskDriver.start({ startMs: T0, foldConfig: { offlineAfterMs: OFFLINE_AFTER } });
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { n: 0 }, timestampMs: T0 });
    d.clock.advance(24 * HOUR);
    d.observeBacklog('telemetry', 100);
    await d.tick();
    expect(unknownEvents(d)).toEqual([]);
  });

  it('does not let a caught-up input run the timers ahead of a lagging one', async () => {
    const d = await TaskDriver.start({ startMs: T0, foldConfig: { offlineAfterMs: OFFLINE_AFTER } });
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { n: 0 }, timestampMs: T0 });
    d.clock.advance(24 * HOUR);
    // Telemetry still has a day of backlog; a status record of another device arrives now.
    await d.pipeBatch('telemetry', speaking('dev-1', T0 + MIN, T0 + 10 * MIN, 3 * MIN), { behind: 400 });
    await d.pipe('status', { deviceId: 'dev-2', value: { status: 'online' }, timestampMs: T0 + 24 * HOUR });
    await d.tick();
    expect(unknownEvents(d)).toEqual([]);
  });
});
