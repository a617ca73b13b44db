import type { KeyValueStore } from '../../store';
import { deviceRange, type EntryKind } from './keys';

export interface ScanRange {
  readonly kind: EntryKind;
  readonly deviceId: string;
  /** Positions (the key part after the device id): from inclusive, to exclusive. */
  readonly from: string;
  readonly to: string;
  readonly reverse: boolean;
  /** Values fetched per store read. */
  readonly batchSize: number;
}

/**
 * The batches of `source` with the next one always being read: LevelDB reads a batch on a worker
 * thread while this one decodes the previous one.
 */
export async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    let next = iterator.next();
    for (;;) {
      const current = await next;
      if (current.done === true) return;
      next = iterator.next();
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** One bucket's stream of decoded entries, read a batch at a time. */
class Source<T> {
  private batch: T[] = [];
  private index = 0;
  private done = false;

  constructor(
    private readonly values: AsyncIterator<string[]>,
    private readonly decode: (text: string) => T,
  ) {}

  /** The next entry without taking it; undefined at the end. */
  async peek(): Promise<T | undefined> {
    while (this.index >= this.batch.length) {
      if (this.done) return undefined;
      const next = await this.values.next();
      if (next.done === true) {
        this.done = true;
        return undefined;
      }
      this.batch = next.value.map(this.decode);
      this.index = 0;
    }
    return this.batch[this.index];
  }

  take(): void {
    this.index += 1;
  }

  async close(): Promise<void> {
    this.done = true;
    await this.values.return?.();
  }
}

/**
 * One device's entries of one kind in a position range, over every bucket, merged into one
 * stream in position order (`compare`, reversed for `reverse`): one range scan per bucket.
 */
export async function* mergedScan<T>(
  store: KeyValueStore,
  buckets: readonly string[],
  range: ScanRange,
  decode: (text: string) => T,
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  const sources = buckets.map((bucket) => {
    const keys = deviceRange(bucket, range.kind, range.deviceId, range.from, range.to);
    const values = store.iterateValues({ ...keys, reverse: range.reverse }, range.batchSize);
    return new Source(prefetched(values), decode);
  });
  const sign = range.reverse ? -1 : 1;
  try {
    for (;;) {
      let best: Source<T> | undefined;
      let bestEntry: T | undefined;
      for (const s of sources) {
        const entry = await s.peek();
        if (entry === undefined) continue;
        if (bestEntry === undefined || sign * compare(entry, bestEntry) < 0) {
          best = s;
          bestEntry = entry;
        }
      }
      if (best === undefined || bestEntry === undefined) return;
      best.take();
      yield bestEntry;
    }
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}
