import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';

/** A kafkajs client for the benchmark's own reads and writes (quiet: errors only). */
export function benchKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** The settings twinfold gives its compacted topics (topology/topic-setup.ts). */
export const COMPACTED = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'min.compaction.lag.ms', value: '0' },
  { name: 'segment.ms', value: '600000' },
];

/** Creates topics (skipping existing ones) and waits until every partition has a leader. */
export async function createTopics(
  admin: Admin,
  topics: { topic: string; compacted?: boolean }[],
  partitions: number,
): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map(({ topic, compacted }) => ({
      topic,
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: compacted ? COMPACTED : [],
    })),
  });
  const names = topics.map((t) => t.topic);
  for (let i = 0; i < 100; i++) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: names });
      if (
        meta.topics.every(
          (t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0),
        )
      )
        return;
    } catch {
      // a KRaft broker briefly answers UNKNOWN_TOPIC_OR_PARTITION for a new topic
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`topics ${names.join(', ')} have no leaders`);
}

/** Sum over `topics` of the group's committed offsets (0 for partitions with none). */
export async function committedTotal(admin: Admin, groupId: string, topics: string[]): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId, topics });
  let sum = 0;
  for (const t of offsets) for (const p of t.partitions) sum += Math.max(0, Number(p.offset));
  return sum;
}

/** Sum over `topics` of the end offsets (records written, for topics nobody compacts). */
export async function endTotal(admin: Admin, topics: string[]): Promise<number> {
  let sum = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) sum += Number(p.high);
  return sum;
}

/** One record of a followed topic, as the benchmark sees it. */
export interface FedRecord {
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
  /** When the benchmark's consumer received it (epoch ms). */
  receivedAt: number;
}

/**
 * Follows a topic from the beginning with a fresh group (read_committed, short fetch waits) and
 * hands every record to the listeners. `stop` disconnects.
 */
export class TopicFeed {
  private readonly consumer: Consumer;
  private readonly listeners = new Set<(r: FedRecord) => void>();

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: `bench-feed-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 5,
      sessionTimeout: 30000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
  }

  listen(listener: (r: FedRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the group is joined, so nothing written afterwards is missed. */
  async start(): Promise<void> {
    await this.consumer.connect();
    const joined = new Promise<void>((resolve) =>
      this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()),
    );
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const receivedAt = Date.now();
        for (const m of batch.messages) {
          if (!m.key) continue;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = String(v);
          const record = { key: m.key.toString('utf8'), value: m.value, headers, receivedAt };
          for (const listener of this.listeners) listener(record);
        }
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
