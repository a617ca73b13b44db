import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type IHeaders,
  type ITopicConfig,
  type KafkaMessage,
  type Message,
} from 'kafkajs';
import { testEnv } from './env';
import { waitFor } from './wait';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** A client of the test run's broker, or of `brokers` (a broker of a test's own). */
export function testKafka(clientId = 'twinfold-test', brokers = testEnv().kafkaBrokers): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

export async function createTopics(
  topics: string[],
  partitions: number,
  extra: Partial<ITopicConfig> = {},
  brokers?: string[],
): Promise<void> {
  const admin = testKafka(undefined, brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, ...extra })),
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces with the Java-compatible partitioner, acks=all, and returns after every write is
 * acknowledged, with each message's timestamp as the broker stored it: the append time on a
 * LogAppendTime topic (twinfold's inputs), else the one the message carried (or the send time).
 */
export async function produce(topic: string, messages: Message[]): Promise<number[]> {
  const partitionOf = new Map<Message, number>();
  const producer = testKafka().producer({
    createPartitioner: () => {
      const choose = Partitioners.DefaultPartitioner();
      return (args) => {
        const partition = choose(args);
        partitionOf.set(args.message, partition);
        return partition;
      };
    },
    idempotent: true,
  });
  await producer.connect();
  const times: number[] = [];
  try {
    for (let i = 0; i < messages.length; i += 5000) {
      const chunk = messages.slice(i, i + 5000);
      const sentAt = Date.now();
      const meta = await producer.send({ topic, acks: -1, messages: chunk });
      const appended = new Map(meta.map((m) => [m.partition, Number(m.logAppendTime ?? -1)]));
      for (const m of chunk) {
        const brokerTime = appended.get(m.partition ?? partitionOf.get(m) ?? -1) ?? -1;
        times.push(brokerTime >= 0 ? brokerTime : m.timestamp !== undefined ? Number(m.timestamp) : sentAt);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return times;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  const key = m.key?.toString('utf8') ?? null;
  return {
    topic,
    partition,
    offset: m.offset,
    key,
    value: m.value,
    headers: headersOf(m.headers),
    timestamp: m.timestamp,
  };
}

export interface ConsumeOptions {
  timeoutMs?: number;
  readUncommitted?: boolean;
  /** Another broker than the test run's. */
  brokers?: string[];
}

/**
 * Reads `topics` from the beginning with a real consumer (read_committed unless told otherwise)
 * until `done(records, positions)` holds, or throws after the timeout naming how much it saw.
 * `positions` holds the next offset per "topic:partition", transaction markers included.
 */
async function consumeFromStart(
  topics: string[],
  done: (records: ConsumedRecord[], positions: Map<string, number>) => boolean,
  { timeoutMs = 60000, readUncommitted = false, brokers }: ConsumeOptions,
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const positions = new Map<string, number>();
  const consumer = testKafka(undefined, brokers).consumer({
    groupId: `test-${randomUUID()}`,
    readUncommitted,
    maxWaitTimeInMs: 200,
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    positions.set(`${payload.topic}:${payload.partition}`, Number(payload.lastOffset) + 1);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) records.push(toRecord(batch.topic, batch.partition, m));
      },
    });
    await waitFor(`records on ${topics.join(', ')} (saw ${records.length})`, () => done(records, positions), {
      timeoutMs,
    });
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Reads `topics` from the beginning until `done(records)` holds. */
export function consumeUntil(
  topics: string[],
  done: (records: ConsumedRecord[]) => boolean,
  options: ConsumeOptions = {},
): Promise<ConsumedRecord[]> {
  return consumeFromStart(topics, (records) => done(records), options);
}

/** Reads every record currently in `topics` (up to their end offsets at call time). */
export async function readAll(
  topics: string[],
  options: Omit<ConsumeOptions, 'timeoutMs'> = {},
): Promise<ConsumedRecord[]> {
  const admin = testKafka(undefined, options.brokers).admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}:${p.partition}`, Number(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const reached = (_: ConsumedRecord[], positions: Map<string, number>): boolean =>
    [...ends].every(([tp, end]) => end === 0 || (positions.get(tp) ?? 0) >= end);
  return consumeFromStart(topics, reached, options);
}
