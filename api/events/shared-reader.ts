import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../shared/logger';
import { ChangeHub } from './change-hub';
import { startTwinsConsumer, type TwinsConsumer } from './twins-consumer';

export interface SharedReaderOptions {
  kafka: Kafka;
  /** `device.twins` (with the configured prefix). */
  topic: string;
  /** Prefix of the throwaway group ids (the application id). */
  groupPrefix: string;
  bufferCapacity: number;
  logger: Logger;
  /** The reader died (kafkajs gave up); its streams must end and a new reader start on demand. */
  onFatal: (err: Error) => void;
}

/** One instance's reader of `device.twins`, feeding every live stream through its hub. */
export interface SharedReader {
  readonly hub: ChangeHub;
  readonly partitionCount: number;
  stop(): Promise<void>;
}

/**
 * Starts reading `device.twins` at its current end (the high watermark of each partition) into a
 * ChangeHub. Caveat of starting at the high watermark: records of a transaction still open at
 * that moment sit below it, so streams opened in the reader's first moments do not see them.
 * Every stream opened later starts at the reader's position, which never passes the last stable
 * offset, so it misses nothing; and resumes are exact either way (they name their position).
 */
export async function startSharedReader(o: SharedReaderOptions): Promise<SharedReader> {
  const admin = o.kafka.admin();
  await admin.connect();
  const starts: number[] = [];
  try {
    for (const p of await admin.fetchTopicOffsets(o.topic)) starts[p.partition] = Number(p.high);
  } finally {
    await admin.disconnect();
  }
  for (let p = 0; p < starts.length; p++) starts[p] ??= 0;
  const hub = new ChangeHub(starts, o.bufferCapacity);
  const groupId = `${o.groupPrefix}-events-${randomUUID()}`;
  const consumer: TwinsConsumer = await startTwinsConsumer({
    kafka: o.kafka,
    topic: o.topic,
    groupId,
    partitions: starts.map((_, p) => p),
    position: () => hub.position(),
    onChange: (change) => hub.publish(change),
    onFatal: o.onFatal,
    logger: o.logger,
  });
  o.logger.info('events reader started', { topic: o.topic, groupId, from: starts });
  return { hub, partitionCount: starts.length, stop: consumer.stop };
}
