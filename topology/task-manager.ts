import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../shared/logger';
import { restoreFromChangelog } from './changelog-reader';
import type { ProcessorMetrics } from './metrics';
import { PartitionTask, type CommitListener, type OffsetCommitter } from './partition-task';
import type { ProcessorSettings } from './processor-settings';
import type { TwinCounts } from './twin-stats';

interface TaskEntry {
  task: PartitionTask;
  /** Resolves when the task's store is restored and it may process; rejects if that failed. */
  ready: Promise<void>;
}

/**
 * Owns the tasks of the partitions assigned to this instance: opens new ones and restores their
 * stores together (one changelog reader per assignment), closes revoked ones with a checkpoint.
 */
export class TaskManager {
  private readonly entries = new Map<number, TaskEntry>();
  private readonly closing = new Map<number, Promise<void>>();
  private pendingRounds = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: ProcessorSettings,
    private readonly metrics: ProcessorMetrics,
    private readonly logger: Logger,
    private readonly sharedProducer: Producer | undefined,
    private readonly commitOffsets: OffsetCommitter | undefined,
    private readonly onRestoring: (restoring: boolean) => void,
    private readonly onCommitted?: CommitListener,
  ) {}

  /**
   * Applies a new assignment. Synchronously registers the new tasks (kafkajs may hand over their
   * first batch before the restore finishes; `readyTask` waits for it), then works in the background.
   */
  assign(partitions: readonly number[]): void {
    const wanted = new Set(partitions);
    for (const [p, entry] of this.entries) {
      if (wanted.has(p)) continue;
      this.entries.delete(p);
      this.closing.set(
        p,
        entry.ready
          .catch(() => undefined)
          .then(() => entry.task.close({ clean: true }))
          .finally(() => this.closing.delete(p)),
      );
    }
    const added = partitions.filter((p) => !this.entries.has(p));
    if (added.length > 0) this.openRound(added);
    else this.onRestoring(this.pendingRounds > 0);
  }

  private openRound(partitions: number[]): void {
    const tasks = partitions.map(
      (p) =>
        new PartitionTask(
          p,
          this.kafka,
          this.settings,
          this.metrics,
          this.logger,
          this.sharedProducer,
          this.commitOffsets,
          this.onCommitted,
        ),
    );
    this.pendingRounds += 1;
    this.onRestoring(true);
    this.metrics.restoringPartitions.inc(tasks.length);
    const round = (async () => {
      // A partition revoked and re-assigned quickly must finish closing before its store reopens.
      await Promise.all(partitions.map((p) => this.closing.get(p)));
      const targets = await Promise.all(tasks.map((t) => t.open()));
      const results = await restoreFromChangelog(this.kafka, this.settings.changelogTopic, targets, {
        groupPrefix: this.settings.applicationId,
        logger: this.logger,
      });
      await Promise.all(
        results.map((r) => tasks.find((t) => t.partition === r.partition)!.startProcessing(r.nextOffset)),
      );
    })();
    const settled = round.finally(() => {
      this.pendingRounds -= 1;
      this.metrics.restoringPartitions.dec(tasks.length);
      this.onRestoring(this.pendingRounds > 0);
    });
    for (const task of tasks) this.entries.set(task.partition, { task, ready: settled });
    settled.catch(async (err: unknown) => {
      this.logger.error('opening tasks failed; they will be retried on their next batch', {
        partitions,
        error: err,
      });
      for (const task of tasks) {
        if (this.entries.get(task.partition)?.task === task) this.entries.delete(task.partition);
        await task.close({ clean: false });
      }
    });
  }

  /** The running task of `partition`, waiting (and heart-beating) while its store is restored. */
  async readyTask(partition: number, heartbeat: () => Promise<void>): Promise<PartitionTask> {
    if (!this.entries.has(partition)) this.openRound([partition]);
    const entry = this.entries.get(partition)!;
    let done = false;
    const ready = entry.ready.finally(() => (done = true));
    while (!done) {
      await Promise.race([ready, new Promise((r) => setTimeout(r, 1000))]);
      if (!done) await heartbeat();
    }
    await ready;
    return entry.task;
  }

  /** The task serving reads for `partition`, if this instance runs it. */
  runningTask(partition: number): PartitionTask | undefined {
    const task = this.entries.get(partition)?.task;
    return task?.status === 'running' ? task : undefined;
  }

  get partitions(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  tasks(): PartitionTask[] {
    return [...this.entries.values()].map((e) => e.task);
  }

  counts(): TwinCounts[] {
    return this.tasks().map((t) => t.counts);
  }

  async closeAll({ clean }: { clean: boolean }): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all([
      ...entries.map((e) => e.ready.catch(() => undefined).then(() => e.task.close({ clean }))),
      ...this.closing.values(),
    ]);
  }
}
