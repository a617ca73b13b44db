import { TwinfoldError } from '../shared/errors';
import { partitionForKey } from '../shared/partitioner';
import type { CommittedChange } from './commit-notice';
import { CommitWatch, type Wait } from './commit-watch';
import type { HistoryQueries } from './history/queries';
import type { PartitionTask } from './partition-task';
import type { ProcessorEvents } from './processor-events';
import { storedTwinCodec } from './twin-codec';
import { liveTwin, type StoredTwin, type TwinState } from './twin';

/** Re-read at least this often while waiting for a version, in case a change came unannounced (a restore). */
const WAIT_POLL_MS = 500;

/** A local list page and the partitions it covers. */
export interface LocalPage {
  twins: TwinState[];
  more: boolean;
  /** The partitions whose stores were read, ascending. */
  partitions: number[];
}

/** What the queries need of the processor (a StreamProcessor; the task driver's tasks in tests). */
export interface LocalTaskSource {
  readonly events: Pick<ProcessorEvents, 'on'>;
  /** Partition count of the inputs; 0 until known. */
  readonly partitions: number;
  readonly taskManager:
    | {
        runningTask(partition: number): PartitionTask | undefined;
        tasks(): PartitionTask[];
      }
    | undefined;
}

/**
 * Reads from this instance's own partition stores (the read side of interactive queries). Every
 * read sees only committed state: stores are written after their transaction commits.
 */
export class LocalTwinQueries {
  private readonly watch = new CommitWatch();

  constructor(private readonly processor: LocalTaskSource) {
    processor.events.on('committed', (notice) => this.watch.handle(notice));
  }

  partitionOf(deviceId: string): number {
    return partitionForKey(deviceId, this.processor.partitions);
  }

  /** Whether this instance serves reads of `partition` right now (its task is running here). */
  serves(partition: number): boolean {
    return this.processor.taskManager?.runningTask(partition) !== undefined;
  }

  /**
   * Waits for the fold of the write carrying `requestId` (see CommitWatch). Register before
   * producing the write; undefined after `timeoutMs`, e.g. when the partition moved meanwhile.
   */
  awaitRequest(requestId: string, timeoutMs: number): Wait<CommittedChange | undefined> {
    return this.watch.forRequest(requestId, timeoutMs);
  }

  /**
   * The twin once its version is at least `minVersion` (an absent twin counts as version 0),
   * waiting up to `waitMs` for the processor to get there. Throws TIMEOUT when it does not, and
   * NOT_READY like `get`.
   */
  async getAtLeast(deviceId: string, minVersion: number, waitMs: number): Promise<TwinState | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const remaining = deadline - Date.now();
      // Listen before reading, or a commit between the read and the wait would go unseen.
      const change = this.watch.nextChange(deviceId, Math.max(0, Math.min(remaining, WAIT_POLL_MS)));
      const twin = await this.get(deviceId).catch((err: unknown) => {
        change.cancel();
        throw err;
      });
      const version = twin?.version ?? 0;
      if (version >= minVersion) {
        change.cancel();
        return twin;
      }
      if (remaining <= 0) {
        change.cancel();
        throw new TwinfoldError(
          'TIMEOUT',
          `twin ${deviceId} is at version ${version}; version ${minVersion} was not reached within ${waitMs} ms`,
          { retriable: true, details: { version, minVersion } },
        );
      }
      await change.promise;
    }
  }

  /**
   * The twin, or undefined when it does not exist. Throws NOT_READY when this instance does not
   * serve the twin's partition right now (restoring, rebalancing, or owned by another instance).
   */
  async get(deviceId: string): Promise<TwinState | undefined> {
    return liveTwin(await this.getStored(deviceId));
  }

  /** What the store holds under the id: the twin, the grave of a deleted one, or nothing. Like `get`. */
  async getStored(deviceId: string): Promise<StoredTwin | undefined> {
    return this.ownerTask(deviceId).read(deviceId);
  }

  /**
   * The history reads of the task owning the twin's partition (see topology/history/queries.ts).
   * Throws NOT_READY like `get`, and HISTORY_DISABLED when history is switched off (HISTORY=off).
   */
  history(deviceId: string): HistoryQueries {
    const { history } = this.ownerTask(deviceId);
    if (history === undefined) {
      throw new TwinfoldError('HISTORY_DISABLED', 'history is switched off on this deployment (HISTORY=off)');
    }
    return history;
  }

  /** The running task of the twin's partition; NOT_READY when this instance does not serve it now. */
  private ownerTask(deviceId: string): PartitionTask {
    const partition = this.partitionOf(deviceId);
    const task = this.processor.taskManager?.runningTask(partition);
    if (!task) {
      throw new TwinfoldError(
        'NOT_READY',
        `partition ${partition} is not being served by this instance right now`,
        {
          retriable: true,
          details: { partition, retryAfterSeconds: 1 },
        },
      );
    }
    return task;
  }

  /**
   * Up to `limit` twins with id > `after` that satisfy `accept`, in id order, over every local
   * partition, and whether more exist. Each partition contributes at most `limit` matches, so the
   * merge holds the global first `limit`.
   */
  async list(
    after: string | undefined,
    limit: number,
    accept: (t: TwinState) => boolean,
  ): Promise<LocalPage> {
    const tasks = this.processor.taskManager?.tasks() ?? [];
    if (tasks.length === 0 || tasks.some((t) => t.status !== 'running')) {
      throw new TwinfoldError('NOT_READY', 'stores are being restored or rebalanced', {
        retriable: true,
        details: { retryAfterSeconds: 1 },
      });
    }
    let more = false;
    const pages = await Promise.all(
      tasks.map(async (task) => {
        const found: TwinState[] = [];
        for await (const [, bytes] of task.iterateStore(after)) {
          const twin = liveTwin(storedTwinCodec.decode(bytes));
          if (twin === undefined || !accept(twin)) continue;
          if (found.length === limit) {
            more = true;
            break;
          }
          found.push(twin);
        }
        return found;
      }),
    );
    const merged = pages.flat().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (merged.length > limit) more = true;
    const partitions = tasks.map((t) => t.partition).sort((a, b) => a - b);
    return { twins: merged.slice(0, limit), more, partitions };
  }
}
