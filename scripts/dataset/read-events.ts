import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { JsonObject } from '../../shared/json';
import { isPlainObject, parseJsonSafely } from '../../shared/safe-json';
import type { DatasetRow } from './rows';

/** A parsed JSON object (what parseJsonSafely gives for `{...}`). */
function isJsonObject(value: unknown): value is JsonObject {
  return isPlainObject(value);
}

/**
 * Every behaviour.window event on `topic` up to its end as of now (read committed), as dataset
 * rows. The stop rule is the topic's end offsets, not a quiet period: call it once the service has
 * committed all its input, and nothing it will write for that input is missing.
 */
export async function readWindowRows(kafka: Kafka, topic: string): Promise<DatasetRow[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, Number(p.high));
  } finally {
    await admin.disconnect();
  }
  const rows: DatasetRow[] = [];
  const position = new Map<number, number>();
  const caughtUp = (): boolean => [...ends].every(([p, end]) => (position.get(p) ?? 0) >= end);
  if (caughtUp()) return rows;
  const consumer = kafka.consumer({ groupId: `dataset-reader-${randomUUID()}`, readUncommitted: false });
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  // Transaction markers never reach eachBatch; END_BATCH_PROCESS still reports their offsets.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    position.set(payload.partition, Number(payload.lastOffset) + 1);
    if (caughtUp()) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (message.value === null || message.key === null) continue;
          const event = parseJsonSafely(message.value);
          if (!isPlainObject(event) || event.type !== 'behaviour.window' || !isJsonObject(event.data))
            continue;
          rows.push({ deviceId: message.key.toString('utf8'), ...event.data });
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return rows;
}
