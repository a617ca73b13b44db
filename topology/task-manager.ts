import type { Logger } from '../shared/logger';
import type { RestoreResult, RestoreTarget } from './changelog-reader';
import type { ProcessorMetrics } from './metrics';
import type { PartitionTask } from './partition-task';
import type { InputPartitionPosition } from './task/input-positions';
import type { TwinCounts } from './twin-stats';

export interface TaskManagerOptions {
  /** A new, unopened task for `partition`. */
  readonly createTask: (partition: number) => PartitionTask;
  /** Replays the changelogs into the opened tasks' stores (see changelog-reader.ts). */
  readonly restore: (targets: RestoreTarget[]) => Promise<RestoreResult[]>;
  /**
   * Where the group stands in the input partitions of `partitions`, so a task that starts on a
   * backlog knows it before its first fetch (see TaskClock). A failure is logged and ignored.
   */
  readonly inputPositions: (partitions: readonly number[]) => Promise<InputPartitionPosition[]>;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  /** Told whether any task of this instance is being restored. */
  readonly onRestoring: (restoring: boolean) => void;
}

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
  /** This instance's member id in the group, from the last join. */
  private memberId: string | undefined;

  constructor(private readonly o: TaskManagerOptions) {}

  /**
   * Applies a new assignment (`memberId`: this member's id in the group as of this join). Synchronously registers the new tasks (kafkajs may hand over their
   * first batch before the restore finishes; `readyTask` waits for it), then works in the background.
   */
  assign(partitions: readonly number[], memberId?: string): void {
    // A new member id means the coordinator had dropped this member (its session expired: a pause,
    // a long GC, a network cut). Other members may have owned and written these partitions in the
    // generations it missed, so no task it kept is current: each restarts from its changelog, with
    // no checkpoint (what it held uncommitted when it stopped is not to be trusted either).
    const rejoined = this.memberId !== undefined && memberId !== undefined && memberId !== this.memberId;
    if (memberId !== undefined) this.memberId = memberId;
    if (rejoined && this.entries.size > 0)
      this.o.logger.warn('rejoined the group as a new member; every task restarts from its changelog', {
        memberId,
        partitions: this.partitions,
      });
    const wanted = new Set(rejoined ? [] : partitions);
    for (const [p, entry] of this.entries) {
      if (wanted.has(p)) continue;
      this.entries.delete(p);
      this.closing.set(
        p,
        entry.ready
          .catch(() => undefined)
          .then(() => entry.task.close({ clean: !rejoined }))
          .finally(() => this.closing.delete(p)),
      );
    }
    const added = partitions.filter((p) => !this.entries.has(p));
    if (added.length > 0) this.openRound(added);
    else this.o.onRestoring(this.pendingRounds > 0);
  }

  private openRound(partitions: number[]): void {
    const tasks = partitions.map((p) => this.o.createTask(p));
    this.pendingRounds += 1;
    this.o.onRestoring(true);
    this.o.metrics.restoringPartitions.inc(tasks.length);
    const round = (async () => {
      // A partition revoked and re-assigned quickly must finish closing before its store reopens.
      await Promise.all(partitions.map((p) => this.closing.get(p)));
      const targets = (await Promise.all(tasks.map((t) => t.open()))).flat();
      const results = await this.o.restore(targets);
      await this.seedInputPositions(tasks);
      await Promise.all(
        tasks.map((t) => t.startProcessing(results.filter((r) => r.partition === t.partition))),
      );
    })();
    const settled = round.finally(() => {
      this.pendingRounds -= 1;
      this.o.metrics.restoringPartitions.dec(tasks.length);
      this.o.onRestoring(this.pendingRounds > 0);
    });
    for (const task of tasks) this.entries.set(task.partition, { task, ready: settled });
    settled.catch(async (err: unknown) => {
      this.o.logger.error('opening tasks failed; they will be retried on their next batch', {
        partitions,
        error: err,
      });
      for (const task of tasks) {
        if (this.entries.get(task.partition)?.task === task) this.entries.delete(task.partition);
        await task.close({ clean: false });
      }
    });
  }

  private async seedInputPositions(tasks: readonly PartitionTask[]): Promise<void> {
    try {
      const positions = await this.o.inputPositions(tasks.map((t) => t.partition));
      for (const p of positions)
        tasks.find((t) => t.partition === p.partition)?.observeInput(p.topic, p.next, p.highWatermark);
    } catch (err) {
      // Only the timers lose: until the first fetch they follow the wall clock, as before.
      this.o.logger.warn('cannot read the input positions; timers follow the wall clock', { error: err });
    }
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
