import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../shared/logger';

export interface ChangelogEntry {
  key: string;
  value: Buffer | null;
  offset: string;
}

/** One store to rebuild: read its changelog partition from `fromOffset` to the end. */
export interface RestoreTarget {
  partition: number;
  fromOffset: number;
  /** Applies one fetched batch (one store write batch). */
  apply(entries: ChangelogEntry[]): Promise<void>;
}

export interface RestoreResult {
  partition: number;
  /** The next changelog offset after everything now in the store. */
  nextOffset: number;
  records: number;
}

/**
 * Rebuilds stores from their compacted changelog partitions, batch by batch, up to the end offsets
 * read at the start. Call it only after the partition's transactional producer has been
 * initialised: that fences any zombie writer and aborts its open transaction, so the end offset is
 * stable and nothing is written behind the reader's back.
 *
 * kafkajs only has group consumers, so this uses a throwaway group that owns every partition of
 * the changelog, seeks the ones it needs and pauses the rest. Transaction markers never reach
 * eachBatch; END_BATCH_PROCESS still reports their offsets, which is how the end is detected.
 */
export async function restoreFromChangelog(
  kafka: Kafka,
  topic: string,
  targets: RestoreTarget[],
  { groupPrefix, logger }: { groupPrefix: string; logger: Logger },
): Promise<RestoreResult[]> {
  if (targets.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, Number(p.high));
  } finally {
    await admin.disconnect();
  }
  const results = new Map<number, RestoreResult>(
    targets.map((t) => [t.partition, { partition: t.partition, nextOffset: t.fromOffset, records: 0 }]),
  );
  const pending = new Map(
    targets.filter((t) => t.fromOffset < (ends.get(t.partition) ?? 0)).map((t) => [t.partition, t]),
  );
  if (pending.size === 0) return [...results.values()];

  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const advance = (partition: number, next: number): void => {
    const result = results.get(partition);
    if (!result || !pending.has(partition)) return;
    result.nextOffset = Math.max(result.nextOffset, next);
    if (result.nextOffset >= (ends.get(partition) ?? 0)) {
      pending.delete(partition);
      if (pending.size === 0) finish();
    }
  };

  const consumer = kafka.consumer({
    groupId: `${groupPrefix}-restore-${randomUUID()}`,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 100,
    retry: { retries: 5 },
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
    advance(payload.partition, Number(payload.lastOffset) + 1),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  const began = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, pause }) => {
        const target = pending.get(batch.partition);
        if (!target) {
          pause();
          return;
        }
        const from = results.get(batch.partition)!.nextOffset;
        const entries: ChangelogEntry[] = [];
        for (const m of batch.messages) {
          if (Number(m.offset) < from || !m.key) continue;
          entries.push({ key: m.key.toString('utf8'), value: m.value, offset: m.offset });
        }
        if (entries.length > 0) await target.apply(entries);
        results.get(batch.partition)!.records += entries.length;
      },
    });
    for (const t of pending.values())
      if (t.fromOffset > 0) consumer.seek({ topic, partition: t.partition, offset: String(t.fromOffset) });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  const out = [...results.values()];
  logger.info('restored stores from changelog', {
    topic,
    partitions: out.map((r) => r.partition),
    records: out.reduce((n, r) => n + r.records, 0),
    ms: Date.now() - began,
  });
  return out;
}
