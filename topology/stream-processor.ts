import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger';
import { inputTopics, type InputKind } from '../shared/topics';
import { coPartitionedAssigner } from './co-partitioned-assigner';
import { InstanceStateMachine } from './instance-state';
import { ProcessorMetrics } from './metrics';
import { ProcessorEvents } from './processor-events';
import type { ProcessorSettings } from './processor-settings';
import { restoreStores } from './changelog-reader';
import { createPartitionTask, type TaskDependencies } from './task/create-task';
import { readInputPositions, type InputPartitionPosition } from './task/input-positions';
import { TaskManager } from './task-manager';
import { ensureTopics, type PlannedTopic } from './topic-setup';
import { historyChangelogPlan } from './history/changelog-topic';

const TICK_INTERVAL_MS = 1000;
/** The consumer's session timeout: the group coordinator drops a member it has not heard from for this long. */
const SESSION_TIMEOUT_MS = 10000;

/** A global table the fold consults (global-table.ts): read to its end before the first fold. */
export interface GlobalInput {
  readonly topic: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The poll loop (Kafka Streams' StreamThread): one consumer in the application's group over the
 * co-partitioned inputs, handing each fetched batch to the task of its partition.
 */
export class StreamProcessor {
  readonly lifecycle = new InstanceStateMachine();
  /** Group changes and committed folds, for the query side of this process (routing, waits). */
  readonly events = new ProcessorEvents();
  readonly metrics: ProcessorMetrics;
  private readonly kindByTopic: Map<string, InputKind>;
  private consumer: Consumer | undefined;
  private sharedProducer: Producer | undefined;
  private tasks: TaskManager | undefined;
  private timer: NodeJS.Timeout | undefined;
  private partitionCount = 0;
  /** When the group coordinator last answered this member (a join or a heartbeat). */
  private lastContactMs = 0;

  constructor(
    private readonly kafka: Kafka,
    readonly settings: ProcessorSettings,
    private readonly advertisedUrl: string,
    private readonly logger: Logger,
    registry: Registry,
    private readonly globals: readonly GlobalInput[] = [],
  ) {
    this.metrics = new ProcessorMetrics(registry, () => this.tasks?.counts() ?? []);
    this.kindByTopic = new Map(inputTopics(settings.topics).map((t) => [t.topic, t.kind]));
  }

  /** Partition count of the inputs, known once started. */
  get partitions(): number {
    return this.partitionCount;
  }

  /**
   * The tasks, for reading their stores; undefined while this member has not heard from its group
   * coordinator for a session timeout. Such a member may have lost its partitions without knowing
   * yet (a process paused past its session timeout, or Kafka away): serving its stores then could
   * answer a version older than the new owner has already served.
   */
  get taskManager(): TaskManager | undefined {
    return Date.now() - this.lastContactMs < SESSION_TIMEOUT_MS ? this.tasks : undefined;
  }

  async start(): Promise<void> {
    const { settings } = this;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      this.partitionCount = await ensureTopics(
        admin,
        this.topicPlan(),
        settings.partitions,
        settings.replicationFactor,
        this.logger,
      );
    } finally {
      await admin.disconnect();
    }
    // Every instance folds with the same profiles and rules: none folds before it has read them all.
    await Promise.all(this.globals.map((g) => g.start()));
    const consumer = this.kafka.consumer({
      groupId: settings.applicationId,
      partitionAssigners: [coPartitionedAssigner({ url: this.advertisedUrl })],
      readUncommitted: false,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 1000,
      rebalanceTimeout: 30000,
      maxWaitTimeInMs: 20,
      maxBytesPerPartition: 1024 * 1024,
    });
    this.consumer = consumer;
    if (settings.guarantee === 'at_least_once') {
      this.sharedProducer = this.kafka.producer({
        idempotent: true,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.sharedProducer.connect();
    }
    this.tasks = this.createTaskManager(consumer);
    this.watchGroup(consumer);
    this.lifecycle.moveTo('rebalancing');
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.kindByTopic.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.partitionCount * 2, 32)),
      eachBatch: async ({ batch, heartbeat }) => {
        try {
          const task = await this.tasks!.readyTask(batch.partition, heartbeat);
          await task.processBatch(batch.topic, this.kindByTopic.get(batch.topic)!, batch.messages, {
            lastOffset: batch.lastOffset(),
            highWatermark: batch.highWatermark,
          });
        } catch (err) {
          // kafkajs retries the batch from its last committed offset; say why it is being retried.
          this.logger.error('batch failed; it will be retried', {
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages.length,
            error: err,
          });
          throw err;
        }
        this.metrics.lag.set(
          { topic: batch.topic, partition: String(batch.partition) },
          Number(batch.offsetLag()),
        );
      },
    });
    this.timer = setInterval(() => this.tick(), TICK_INTERVAL_MS);
    this.timer.unref();
    this.logger.info('processor started', {
      applicationId: settings.applicationId,
      guarantee: settings.guarantee,
      partitions: this.partitionCount,
    });
  }

  private createTaskManager(consumer: Consumer): TaskManager {
    const { kafka, settings, metrics, logger, sharedProducer } = this;
    const deps: TaskDependencies = {
      kafka,
      settings,
      metrics,
      logger,
      onCommitted: (notice) => this.events.emit('committed', notice),
      ...(sharedProducer
        ? {
            atLeastOnce: {
              producer: sharedProducer,
              commitOffsets: (topic, partition, offset) =>
                consumer.commitOffsets([{ topic, partition, offset }]),
            },
          }
        : {}),
    };
    const options = { groupPrefix: settings.applicationId, logger };
    return new TaskManager({
      createTask: (partition) => createPartitionTask(deps, partition),
      restore: (targets) => restoreStores(kafka, targets, options),
      inputPositions: (partitions) => this.inputPositions(partitions),
      metrics,
      logger,
      onRestoring: (restoring) => this.onRestoring(restoring),
    });
  }

  private async inputPositions(partitions: readonly number[]): Promise<InputPartitionPosition[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await readInputPositions(
        admin,
        this.settings.applicationId,
        [...this.kindByTopic.keys()],
        partitions,
      );
    } finally {
      await admin.disconnect();
    }
  }

  private topicPlan(): PlannedTopic[] {
    const { topics, changelogTopic } = this.settings;
    return [
      ...[...this.kindByTopic.keys()].map((topic) => ({
        topic,
        compacted: false,
        coPartitioned: true,
        brokerTimestamps: true,
      })),
      { topic: changelogTopic, compacted: true, coPartitioned: true },
      ...(this.settings.history ? [historyChangelogPlan(this.settings.history)] : []),
      { topic: topics.twins, compacted: true, coPartitioned: false },
      { topic: topics.events, compacted: false, coPartitioned: false },
      { topic: topics.downlink, compacted: false, coPartitioned: false },
      { topic: topics.dlq, compacted: false, coPartitioned: false },
      ...this.globals.map((g) => ({ topic: g.topic, compacted: true, coPartitioned: false })),
    ];
  }

  private watchGroup(consumer: Consumer): void {
    const { GROUP_JOIN, REBALANCING, CRASH, END_BATCH_PROCESS, HEARTBEAT } = consumer.events;
    consumer.on(HEARTBEAT, () => (this.lastContactMs = Date.now()));
    // A fetch of only transaction markers or aborted records never reaches eachBatch; its position
    // still tells the task's timers that the partition is caught up.
    consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      const next = String(BigInt(payload.lastOffset) + 1n);
      this.tasks?.runningTask(payload.partition)?.observeInput(payload.topic, next, payload.highWatermark);
    });
    consumer.on(REBALANCING, () => {
      if (this.lifecycle.canMoveTo('rebalancing')) this.lifecycle.moveTo('rebalancing');
      this.events.emit('rebalancing');
    });
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.lastContactMs = Date.now();
      const partitions = [...new Set(Object.values(payload.memberAssignment).flat())].sort((a, b) => a - b);
      this.logger.info('joined group', { memberId: payload.memberId, partitions });
      this.tasks!.assign(partitions, payload.memberId);
      this.events.emit('joined', { memberId: payload.memberId, partitions });
    });
    consumer.on(CRASH, ({ payload }) => {
      this.logger.error('consumer crashed', { error: payload.error, restart: payload.restart });
      if (!payload.restart && this.lifecycle.canMoveTo('error')) this.lifecycle.moveTo('error');
    });
  }

  private onRestoring(restoring: boolean): void {
    const next = restoring ? 'restoring' : 'running';
    if (this.lifecycle.canMoveTo(next)) this.lifecycle.moveTo(next);
  }

  private tick(): void {
    for (const task of this.tasks?.tasks() ?? []) {
      task.tick().catch((err: unknown) =>
        this.logger.warn('timer commit failed; it will run again', {
          partition: task.partition,
          error: err,
        }),
      );
    }
  }

  /** Graceful stop: finish the current batches, leave the group, checkpoint every store. */
  async stop(): Promise<void> {
    if (this.lifecycle.state === 'stopped') return;
    if (this.timer) clearInterval(this.timer);
    await this.consumer?.disconnect();
    await this.tasks?.closeAll({ clean: this.lifecycle.state !== 'error' });
    await this.sharedProducer?.disconnect();
    await Promise.all(this.globals.map((g) => g.stop()));
    this.lifecycle.moveTo('stopped');
    this.logger.info('processor stopped');
  }
}
