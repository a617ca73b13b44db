import type { KeyValueStore } from '../../store';
import { afterBucket, bucketOfKey, bucketPrefix } from './keys';

/**
 * The buckets a history store holds entries in (a few dozen at most: see retention.ts), kept in
 * memory so a query scans only those and the sweep knows at once whether anything expired.
 */
export class BucketSet {
  private readonly ends = new Set<number>();
  private sortedCache: string[] | undefined;

  add(bucket: number): void {
    if (this.ends.has(bucket)) return;
    this.ends.add(bucket);
    this.sortedCache = undefined;
  }

  /** The key prefixes of the buckets, ascending. */
  prefixes(): readonly string[] {
    this.sortedCache ??= [...this.ends].sort((a, b) => a - b).map(bucketPrefix);
    return this.sortedCache;
  }

  get size(): number {
    return this.ends.size;
  }

  anyBefore(now: number): boolean {
    for (const b of this.ends) if (b < now) return true;
    return false;
  }

  /** The first key of bucket `now` and later: every key below it is in a bucket that ended before `now`. */
  boundBefore(now: number): string {
    return bucketPrefix(Math.max(0, Math.ceil(now)));
  }

  dropBefore(now: number): void {
    for (const b of [...this.ends]) if (b < now) this.ends.delete(b);
    this.sortedCache = undefined;
  }

  /** Reads the buckets of an opened store: one seek per bucket. */
  async discover(store: KeyValueStore): Promise<void> {
    this.ends.clear();
    this.sortedCache = undefined;
    let from = '';
    for (;;) {
      let next: string | undefined;
      for await (const [key] of store.iterate({ gte: from, limit: 1 })) next = key;
      if (next === undefined) return;
      const bucket = bucketOfKey(next);
      if (Number.isNaN(bucket)) return;
      this.add(bucket);
      from = afterBucket(bucketPrefix(bucket));
    }
  }
}
