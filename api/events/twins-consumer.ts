import type { Kafka } from 'kafkajs';
import type { Logger } from '../../shared/logger';
import { offsetAt, type Offsets } from './position';
import { deleteReaderGroup } from './reader-group';
import { decodeTwinRecord, type TwinChange } from './twin-change';

export interface TwinsConsumerOptions {
  kafka: Kafka;
  topic: string;
  /** Unique per consumer: kafkajs has only group consumers, so each reader is the sole member of its own group. */
  groupId: string;
  /** The partitions to read; the others are paused. */
  partitions: readonly number[];
  /** Where the reader stands now (per partition): where it seeks to, at start and after every (re)join. */
  position: () => Offsets;
  /** Each committed record, in offset order per partition. Must not throw. */
  onChange: (change: TwinChange) => void;
  /** kafkajs gave up (it restarts on retriable errors by itself): the reader is dead. */
  onFatal: (err: Error) => void;
  logger: Logger;
}

/** A running reader; `stop` disconnects it (idempotent) and deletes its group. */
export interface TwinsConsumer {
  stop(): Promise<void>;
}

/**
 * Reads `device.twins` (read committed) from a position. kafkajs cannot assign partitions, so the
 * consumer subscribes from the beginning and seeks right after `run()` and after every join; a
 * fetch that raced the seek starts from the beginning, at or below the position, and whatever it
 * reads below the position is dropped by the receiver (ChangeHub, StreamCursor). So reading
 * always continues at or below the position, in order: nothing is skipped. Offsets are never
 * committed: the group is deleted when the reader stops.
 */
export async function startTwinsConsumer(o: TwinsConsumerOptions): Promise<TwinsConsumer> {
  const consumer = o.kafka.consumer({
    groupId: o.groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 500,
    retry: { retries: 5 },
  });
  const wanted = new Set(o.partitions);
  const seekAll = (): void => {
    const position = o.position();
    for (const partition of wanted) {
      consumer.seek({ topic: o.topic, partition, offset: String(offsetAt(position, partition)) });
    }
  };
  let stopping = false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[o.topic] ?? [];
    const others = assigned.filter((p) => !wanted.has(p));
    if (others.length > 0) consumer.pause([{ topic: o.topic, partitions: others }]);
    seekAll();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart && !stopping) o.onFatal(payload.error);
  });
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await consumer
      .disconnect()
      .catch((err: unknown) => o.logger.warn('events reader disconnect failed', { error: err }));
    await deleteReaderGroup(o.kafka, o.groupId, o.logger);
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, pause }) => {
        if (!wanted.has(batch.partition)) {
          pause();
          return;
        }
        for (const m of batch.messages) o.onChange(decodeTwinRecord(batch.partition, m));
      },
    });
    seekAll();
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
