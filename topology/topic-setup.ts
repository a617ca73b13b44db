import { ConfigResourceTypes, type Admin, type ITopicConfig } from 'kafkajs';
import { TwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';

/**
 * A topic twinfold needs. Every one is created with the inputs' partition count; `coPartitioned`
 * ones (inputs and the store changelog) must already share it; compacted ones keep the latest
 * value per key. `brokerTimestamps` topics (the inputs) are created with LogAppendTime: a record's
 * timestamp is when the broker received it, the time the fold calls "heard at" (`lastSeen`, the
 * silence timer). A producer's clock, or a device's buffered upload, cannot move it.
 */
export interface PlannedTopic {
  topic: string;
  compacted: boolean;
  coPartitioned: boolean;
  brokerTimestamps?: boolean;
  /** More topic configs when twinfold creates it (e.g. the history changelog's retention). */
  configEntries?: { name: string; value: string }[];
}

const COMPACTED = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'min.compaction.lag.ms', value: '0' },
  { name: 'segment.ms', value: '600000' },
];
const LOG_APPEND_TIME = { name: 'message.timestamp.type', value: 'LogAppendTime' };

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
    .map(({ topic, compacted, brokerTimestamps, configEntries }) => ({
      topic,
      numPartitions: count,
      replicationFactor,
      configEntries: [
        ...(compacted ? COMPACTED : []),
        ...(brokerTimestamps ? [LOG_APPEND_TIME] : []),
        ...(configEntries ?? []),
      ],
    }));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: false });
    logger.info('created topics', { topics: missing.map((t) => t.topic), partitions: count });
  }
  // Also the topics that existed: another instance starting at the same moment may have created
  // them an instant ago, and their leaders may not answer yet.
  await waitForLeaders(
    admin,
    plan.map((t) => t.topic),
  );
  const stamped = plan.filter((t) => t.brokerTimestamps && existing.has(t.topic)).map((t) => t.topic);
  if (stamped.length > 0) await warnOnProducerTimestamps(admin, stamped, logger);
  return count;
}

/**
 * Existing input topics are used as they are, but one with CreateTime lets producers choose the
 * time a record was "heard": an old stamp makes a device look silent (the timer marks it unknown
 * at once), a future one keeps it online. Said once per topic at start-up.
 */
async function warnOnProducerTimestamps(admin: Admin, topics: string[], logger: Logger): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: [LOG_APPEND_TIME.name],
    })),
  });
  for (const r of resources) {
    const type = r.configEntries.find((e) => e.configName === LOG_APPEND_TIME.name)?.configValue;
    if (type !== LOG_APPEND_TIME.value) {
      logger.warn('input topic keeps producer timestamps; set message.timestamp.type=LogAppendTime', {
        topic: r.resourceName,
        timestampType: type,
      });
    }
  }
}

/**
 * kafkajs's own wait (createTopics waitForLeaders) retries only LEADER_NOT_AVAILABLE, but a KRaft
 * broker briefly answers UNKNOWN_TOPIC_OR_PARTITION for a topic it has just created, and after its
 * metadata names a leader, that broker still answers NOT_LEADER_OR_FOLLOWER until it has applied
 * the change: tasks opened in that moment failed their ListOffsets and the group re-joined over and
 * over. So a topic counts as ready once every partition's leader answers ListOffsets.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
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
