import { TwinfoldError } from '../shared/errors';
import { partitionForKey } from '../shared/partitioner';
import type { StreamProcessor } from './stream-processor';
import { twinStateCodec } from './twin-codec';
import type { TwinState } from './twin';

/**
 * Reads from this instance's own partition stores (the read side of interactive queries). Every
 * read sees only committed state: stores are written after their transaction commits.
 */
export class LocalTwinQueries {
  constructor(private readonly processor: StreamProcessor) {}

  partitionOf(deviceId: string): number {
    return partitionForKey(deviceId, this.processor.partitions);
  }

  /**
   * The twin, or undefined when it does not exist. Throws NOT_READY when this instance does not
   * serve the twin's partition right now (restoring, rebalancing, or owned by another instance).
   */
  async get(deviceId: string): Promise<TwinState | undefined> {
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
    return task.read(deviceId);
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
  ): Promise<{ twins: TwinState[]; more: boolean }> {
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
          const twin = twinStateCodec.decode(bytes);
          if (!accept(twin)) continue;
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
    return { twins: merged.slice(0, limit), more };
  }
}
