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

  /** Reads the next batch when this one is used up; false at the end. */
  async fill(): Promise<boolean> {
    while (this.index >= this.batch.length) {
      if (this.done) return false;
      const next = await this.values.next();
      if (next.done === true) {
        this.done = true;
        return false;
      }
      this.batch = next.value.map(this.decode);
      this.index = 0;
    }
    return true;
  }

  /** The next entry of the batch in hand (after `fill` returned true); undefined when used up. */
  head(): T | undefined {
    return this.batch[this.index];
  }

  take(): void {
    this.index += 1;
  }

  /** What is left of the batch in hand. */
  takeRest(): T[] {
    const rest = this.index === 0 ? this.batch : this.batch.slice(this.index);
    this.index = this.batch.length;
    return rest;
  }

  async close(): Promise<void> {
    this.done = true;
    await this.values.return?.();
  }
}

/**
 * One device's entries of one kind in a position range, over every bucket, merged into one stream
 * in position order (`compare`, reversed for `reverse`), a batch at a time: one range scan per
 * bucket. While one bucket alone has entries left (the usual case: a device's entries of a time
 * range lie in one or two buckets, one after the other) its batches pass through whole.
 */
export async function* mergedBatches<T>(
  store: KeyValueStore,
  buckets: readonly string[],
  range: ScanRange,
  decode: (text: string) => T,
  compare: (a: T, b: T) => number,
): AsyncGenerator<T[]> {
  const sources = buckets.map((bucket) => {
    const keys = deviceRange(bucket, range.kind, range.deviceId, range.from, range.to);
    const values = store.iterateValues({ ...keys, reverse: range.reverse }, range.batchSize);
    return new Source(prefetched(values), decode);
  });
  const sign = range.reverse ? -1 : 1;
  try {
    for (;;) {
      const live: Source<T>[] = [];
      for (const s of sources) if (await s.fill()) live.push(s);
      if (live.length === 0) return;
      if (live.length === 1) {
        yield live[0]!.takeRest();
        continue;
      }
      // Every live source has a batch in hand: merge until one of them is used up.
      const out: T[] = [];
      for (;;) {
        let best = live[0]!;
        let bestEntry = best.head()!;
        for (let i = 1; i < live.length; i++) {
          const entry = live[i]!.head()!;
          if (sign * compare(entry, bestEntry) < 0) {
            best = live[i]!;
            bestEntry = entry;
          }
        }
        out.push(bestEntry);
        best.take();
        if (best.head() === undefined) break;
      }
      yield out;
    }
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

/** The entries of `mergedBatches` one at a time. */
export async function* mergedScan<T>(
  store: KeyValueStore,
  buckets: readonly string[],
  range: ScanRange,
  decode: (text: string) => T,
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  for await (const batch of mergedBatches(store, buckets, range, decode, compare)) yield* batch;
}
