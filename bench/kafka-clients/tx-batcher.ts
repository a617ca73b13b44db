import { sleep } from '../support/ports';

interface Entry<T> {
  items: T[];
  done?: () => void;
}

/**
 * The single-producer loop's pacing (one transaction per instance, Kafka Streams' EOS v2 shape):
 * consumers add what they fetched; `run` commits everything pending in one transaction at most
 * every `intervalMs` (and at most `maxPerTx` items), until `total` items are committed.
 */
export class TxBatcher<T> {
  private pending: Entry<T>[] = [];
  private pendingItems = 0;
  private wake: (() => void) | undefined;
  transactions = 0;

  get size(): number {
    return this.pendingItems;
  }

  /** Adds items; the promise resolves once they are committed (for consumers that must wait). */
  add(items: T[], wait = false): Promise<void> | undefined {
    const entry: Entry<T> = { items };
    const committed = wait ? new Promise<void>((resolve) => (entry.done = resolve)) : undefined;
    this.pending.push(entry);
    this.pendingItems += items.length;
    this.wake?.();
    return committed;
  }

  async run(
    total: number,
    options: { intervalMs: number; maxPerTx: number; deadline: number },
    commit: (items: T[]) => Promise<void>,
    /** Called after each commit (e.g. to resume a paused stream). */
    after: () => void = () => undefined,
  ): Promise<void> {
    let committed = 0;
    let lastStart = 0;
    while (committed < total) {
      if (Date.now() > options.deadline) throw new Error(`only ${committed} of ${total} committed in time`);
      if (this.pending.length === 0) {
        await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), sleep(200)]);
        this.wake = undefined;
        continue;
      }
      const wait = lastStart + options.intervalMs - Date.now();
      if (wait > 0) await sleep(wait);
      lastStart = Date.now();
      const taken: Entry<T>[] = [];
      let n = 0;
      while (this.pending.length > 0 && (n === 0 || n + this.pending[0]!.items.length <= options.maxPerTx)) {
        const entry = this.pending.shift()!;
        taken.push(entry);
        n += entry.items.length;
      }
      this.pendingItems -= n;
      await commit(taken.flatMap((e) => e.items));
      this.transactions++;
      committed += n;
      for (const e of taken) e.done?.();
      after();
    }
  }
}
