import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { isJsonObject } from '../../shared/json';
import type { Logger } from '../../shared/logger';
import { isPlainObject, parseJsonSafely } from '../../shared/safe-json';
import { deleteReaderGroup } from '../events/reader-group';
import type { DatasetRow } from './behaviour-rows';

/** Which windows: those starting in [startMs, endMs). */
export interface WindowRange {
  startMs: number;
  endMs: number;
}

/** Where the rows come from (the route's seam; tests may fill it without Kafka). */
export interface BehaviourRowSource {
  rows(range: WindowRange): AsyncIterable<DatasetRow>;
}

export interface KafkaBehaviourRowsOptions {
  kafka: Kafka;
  /** `device.events` with the configured prefix. */
  topic: string;
  /** Prefix of the throwaway consumer groups (the application id). */
  groupPrefix: string;
  /**
   * How long before `startMs` the read begins (event times are when the record that closed the
   * window was appended: after the window, give or take the bridge's and the broker's clocks).
   */
  leadMs: number;
  logger: Logger;
}

const MAX_QUEUED_BATCHES = 32;

/**
 * The `behaviour.window` events of `device.events`, read straight from Kafka by whichever instance
 * is asked (like the event streams: every instance can read the whole topic, so there is nothing
 * to fan out): from the offsets at `startMs − leadMs` to the end offsets when asked, read
 * committed, with back-pressure (a batch waits while the client is behind).
 */
export function kafkaBehaviourRows(o: KafkaBehaviourRowsOptions): BehaviourRowSource {
  return { rows: (range) => readRows(o, range) };
}

async function* readRows(o: KafkaBehaviourRowsOptions, range: WindowRange): AsyncGenerator<DatasetRow> {
  const admin = o.kafka.admin();
  await admin.connect();
  const from = new Map<number, number>();
  const ends = new Map<number, number>();
  try {
    for (const p of await admin.fetchTopicOffsets(o.topic)) ends.set(p.partition, Number(p.high));
    for (const p of await admin.fetchTopicOffsetsByTimestamp(o.topic, Math.max(0, range.startMs - o.leadMs)))
      from.set(p.partition, Number(p.offset) < 0 ? ends.get(p.partition)! : Number(p.offset));
  } finally {
    await admin.disconnect();
  }
  const position = new Map(from);
  const next = new Map(from);
  const caughtUp = (): boolean => [...ends].every(([p, end]) => (position.get(p) ?? end) >= end);
  if (caughtUp()) return;
  const queue: DatasetRow[][] = [];
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;
  let failure: Error | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const groupId = `${o.groupPrefix}-dataset-${randomUUID()}`;
  const consumer = o.kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  // Transaction markers never reach eachBatch; END_BATCH_PROCESS still reports their offsets.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    position.set(payload.partition, Number(payload.lastOffset) + 1);
    notify();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    failure = payload.error;
    notify();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const rows: DatasetRow[] = [];
        const end = ends.get(batch.partition) ?? 0;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset >= end) break;
          // A fetch from before the seek, or a re-read after it: each offset in range once.
          if (offset < (next.get(batch.partition) ?? end)) continue;
          next.set(batch.partition, offset + 1);
          const row = rowOf(message.key, message.value, range);
          if (row !== undefined) rows.push(row);
        }
        if (rows.length > 0) queue.push(rows);
        notify();
        while (queue.length > MAX_QUEUED_BATCHES) {
          await new Promise<void>((resolve) => (room = resolve));
          await heartbeat();
        }
      },
    });
    for (const [partition, offset] of from)
      consumer.seek({ topic: o.topic, partition, offset: String(offset) });
    for (;;) {
      const rows = queue.shift();
      if (rows !== undefined) {
        room?.();
        room = undefined;
        yield* rows;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (caughtUp()) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    room?.();
    await consumer.disconnect();
    await deleteReaderGroup(o.kafka, groupId, o.logger);
  }
}

/** A `behaviour.window` event of a window starting in the range, as a row; else undefined. */
function rowOf(key: Buffer | null, value: Buffer | null, range: WindowRange): DatasetRow | undefined {
  if (key === null || value === null) return undefined;
  let event: unknown;
  try {
    event = parseJsonSafely(value);
  } catch {
    return undefined;
  }
  if (!isPlainObject(event) || event.type !== 'behaviour.window' || !isJsonObject(event.data))
    return undefined;
  const start = event.data.windowStart;
  if (typeof start !== 'number' || start < range.startMs || start >= range.endMs) return undefined;
  return { deviceId: key.toString('utf8'), ...event.data };
}
