import type { Admin, ITopicConfig } from 'kafkajs';
import { TwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';

/**
 * A topic twinfold needs. Every one is created with the inputs' partition count; `coPartitioned`
 * ones (inputs and the store changelog) must already share it; compacted ones keep the latest
 * value per key.
 */
export interface PlannedTopic {
  topic: string;
  compacted: boolean;
  coPartitioned: boolean;
}

const COMPACTED = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'min.compaction.lag.ms', value: '0' },
  { name: 'segment.ms', value: '600000' },
];

/**
 * Creates the missing topics with `partitions` partitions and refuses (CONFIG error) when the
 * existing inputs and changelog do not share one partition count: a device's records would land
 * in different tasks and its twin would fold from half its inputs.
 */
export async function ensureTopics(
  admin: Admin,
  plan: PlannedTopic[],
  partitions: number,
  replicationFactor: number,
  logger: Logger,
): Promise<number> {
  const existing = new Set(await admin.listTopics());
  const present = plan.filter((t) => t.coPartitioned && existing.has(t.topic)).map((t) => t.topic);
  let count = partitions;
  if (present.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: present });
    const counts = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
    const distinct = new Set(counts.values());
    if (distinct.size > 1) {
      const listing = [...counts].map(([t, n]) => `${t}=${n}`).join(', ');
      throw new TwinfoldError(
        'VALIDATION_ERROR',
        `input topics are not co-partitioned (${listing}); give them one partition count before starting twinfold`,
      );
    }
    count = [...distinct][0] ?? partitions;
    if (count !== partitions) {
      logger.warn('existing input topics have a different partition count than PARTITIONS; using theirs', {
        existing: count,
        configured: partitions,
      });
    }
  }
  const missing: ITopicConfig[] = plan
    .filter((t) => !existing.has(t.topic))
    .map(({ topic, compacted }) => ({
      topic,
      numPartitions: count,
      replicationFactor,
      configEntries: compacted ? COMPACTED : [],
    }));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: false });
    await waitForLeaders(
      admin,
      missing.map((t) => t.topic),
    );
    logger.info('created topics', { topics: missing.map((t) => t.topic), partitions: count });
  }
  return count;
}

/**
 * kafkajs's own wait (createTopics waitForLeaders) retries only LEADER_NOT_AVAILABLE, but a KRaft
 * broker briefly answers UNKNOWN_TOPIC_OR_PARTITION for a topic it has just created.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) {
      throw new TwinfoldError(
        'NOT_READY',
        `topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
