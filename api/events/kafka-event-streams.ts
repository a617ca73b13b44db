import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/logger';
import { EventStreams } from './event-streams';
import { startSharedReader } from './shared-reader';
import { startTwinsConsumer } from './twins-consumer';

export interface KafkaEventStreamsOptions {
  kafka: Kafka;
  /** `device.twins` with the configured prefix. */
  topic: string;
  /** Prefix of the throwaway consumer groups (the application id). */
  groupPrefix: string;
  maxStreams: number;
  maxReplayConsumers: number;
  replayBuffer: number;
  heartbeatMs: number;
  logger: Logger;
  registry: Registry;
}

/** EventStreams reading `device.twins` from Kafka: the service's wiring (api/main.ts). */
export function kafkaEventStreams(o: KafkaEventStreamsOptions): EventStreams {
  const { kafka, topic, groupPrefix, logger } = o;
  return new EventStreams({
    startSharedReader: (onFatal) =>
      startSharedReader({ kafka, topic, groupPrefix, bufferCapacity: o.replayBuffer, logger, onFatal }),
    startReplayReader: (cursor, onChange, onFatal) =>
      startTwinsConsumer({
        kafka,
        topic,
        groupId: `${groupPrefix}-events-replay-${randomUUID()}`,
        partitions: cursor.partitions(),
        position: () => cursor.position(),
        onChange,
        onFatal,
        logger,
      }),
    endOffsets: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends: number[] = [];
        for (const p of await admin.fetchTopicOffsets(topic)) ends[p.partition] = Number(p.high);
        return ends;
      } finally {
        await admin.disconnect();
      }
    },
    maxStreams: o.maxStreams,
    maxReplayConsumers: o.maxReplayConsumers,
    heartbeatMs: o.heartbeatMs,
    logger,
    registry: o.registry,
  });
}
