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
    await admin.createTopics({ topics: missing, waitForLeaders: true });
    logger.info('created topics', { topics: missing.map((t) => t.topic), partitions: count });
  }
  return count;
}
