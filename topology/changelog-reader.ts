import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../shared/logger';
import { RestoreProgress } from './restore-progress';

export interface ChangelogEntry {
  key: string;
  value: Buffer | null;
  offset: string;
}

/** One store to rebuild: read its changelog partition from `fromOffset` to the end. */
export interface RestoreTarget {
  /** The store's changelog topic. */
  topic: string;
  partition: number;
  fromOffset: number;
  /** Applies one fetched batch (one store write batch); may queue it and resolve before it is written. */
  apply(entries: ChangelogEntry[]): Promise<void>;
  /** Resolves once every applied batch is in the store (when `apply` queues). */
  finish?(): Promise<void>;
}

export interface RestoreResult {
  topic: string;
  partition: number;
  /** The next changelog offset after everything now in the store. */
  nextOffset: number;
  records: number;
}

/** Rebuilds every target, one reader per changelog topic (see restoreFromChangelog). */
export async function restoreStores(
  kafka: Kafka,
  targets: readonly RestoreTarget[],
  options: { groupPrefix: string; logger: Logger },
): Promise<RestoreResult[]> {
  const topics = [...new Set(targets.map((t) => t.topic))];
  const results = await Promise.all(
    topics.map((topic) =>
      restoreFromChangelog(
        kafka,
        topic,
        targets.filter((t) => t.topic === topic),
        options,
      ),
    ),
  );
  return results.flat();
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
  targets: readonly RestoreTarget[],
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
  const progress = new RestoreProgress(topic, targets, ends);
  if (progress.done) return progress.resultList();

  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const consumer = kafka.consumer({
    groupId: `${groupPrefix}-restore-${randomUUID()}`,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 100,
    retry: { retries: 5 },
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (progress.advance(payload.partition, Number(payload.lastOffset) + 1)) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  const began = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, pause }) => {
        const target = progress.target(batch.partition);
        if (!target) {
          pause();
          return;
        }
        const entries = progress.entriesOf(batch.partition, batch.messages);
        if (entries.length > 0) await target.apply(entries);
        progress.applied(batch.partition, entries.length);
      },
    });
    for (const t of progress.pendingTargets())
      if (t.fromOffset > 0) consumer.seek({ topic, partition: t.partition, offset: String(t.fromOffset) });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  await Promise.all(targets.map((t) => t.finish?.()));
  const out = progress.resultList();
  logger.info('restored stores from changelog', {
    topic,
    partitions: out.map((r) => r.partition),
    records: out.reduce((n, r) => n + r.records, 0),
    ms: Date.now() - began,
  });
  return out;
}
