import { TwinfoldError } from '../shared/errors';
import type { Codec } from './codec';
import type { KeyValueStore, StoreWrite } from './key-value-store';

/** An uncommitted change: `value` and `encoded` are null for a delete. */
export interface DirtyEntry<V> {
  readonly key: string;
  readonly value: V | null;
  readonly encoded: Buffer | null;
}

/** Counters for metrics. `hits`/`misses` count keys asked of `load()`, cached or not. */
export interface TwinCacheStats {
  readonly size: number;
  readonly dirty: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

export interface TwinCacheOptions<V> {
  readonly store: KeyValueStore;
  readonly codec: Codec<V>;
  /** Soft bound on cached keys (see {@link TwinCache}); a positive integer. */
  readonly maxEntries: number;
}

/** A cached value; `null` means known to be absent. Replaced (never mutated) on every put. */
interface Entry<V> {
  readonly value: V | null;
  readonly encoded: Buffer | null;
}

/**
 * A typed, bounded, write-back cache in front of a {@link KeyValueStore} (Kafka Streams' caching
 * store, simplified). A stream task `load()`s the keys of a batch of records with one store
 * read, then reads and writes them synchronously; at commit it sends `dirtyEntries()` to the
 * changelog and `flush()`es them to the store in one batch, or `discardDirty()`s them on abort.
 *
 * Eviction is least-recently-used and runs only in `load()`: it never drops dirty entries nor
 * the keys being loaded, so a loaded key stays readable until the next `load()`. The bound is
 * therefore soft; a single batch with more keys than `maxEntries` overshoots it until the next load.
 * Values are encoded in `put()` so a codec failure surfaces at the record that caused it.
 */
export class TwinCache<V> {
  private readonly store: KeyValueStore;
  private readonly codec: Codec<V>;
  private readonly maxEntries: number;
  /** Map order is recency order: least recently used first. */
  private readonly entries = new Map<string, Entry<V>>();
  private readonly dirty = new Set<string>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(options: TwinCacheOptions<V>) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`twin cache: maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    this.store = options.store;
    this.codec = options.codec;
    this.maxEntries = options.maxEntries;
  }

  /** Makes `keys` readable with `get()`: one `getMany` for those not cached. Throws on undecodable bytes. */
  async load(keys: readonly string[]): Promise<void> {
    const wanted = new Set(keys);
    const missing = [...wanted].filter((key) => !this.touch(key));
    this.hits += wanted.size - missing.length;
    this.misses += missing.length;
    const values = missing.length === 0 ? [] : await this.store.getMany(missing);
    missing.forEach((key, i) => {
      // A put() while the read was in flight is newer than what the store returned.
      if (!this.entries.has(key)) this.entries.set(key, this.decoded(key, values[i]));
    });
    this.evict(wanted);
  }

  /**
   * The cached value, undefined if absent or deleted.
   * @throws RangeError if the key was not loaded (or put) first: a programming error, never retried.
   */
  get(key: string): V | undefined {
    const entry = this.touch(key);
    if (entry === undefined)
      throw new RangeError(`twin cache: key ${JSON.stringify(key)} read before load()`);
    return entry.value ?? undefined;
  }

  /**
   * Sets (or with `null` deletes) a value without writing through; the key becomes dirty.
   * `encoded` saves a second encoding when the caller already has the bytes (to check their size).
   */
  put(
    key: string,
    value: V | null,
    encoded: Buffer | null = value === null ? null : this.codec.encode(value),
  ): void {
    this.entries.delete(key);
    this.entries.set(key, { value, encoded });
    this.dirty.add(key);
  }

  /**
   * The committed value of a cached key without a store read (for queries): `null` when known
   * absent, undefined when the key is not cached or its cached value is not committed yet (then
   * only the store has the committed one). Does not change the recency order.
   */
  peekCommitted(key: string): V | null | undefined {
    if (this.dirty.has(key)) return undefined;
    return this.entries.get(key)?.value;
  }

  /** Uncommitted changes, one per key with its latest value, in the order keys first became dirty. */
  dirtyEntries(): DirtyEntry<V>[] {
    return [...this.dirty].map((key) => {
      const { value, encoded } = this.entries.get(key) as Entry<V>;
      return { key, value, encoded };
    });
  }

  /** Writes every dirty entry in one store batch, then marks them clean. On failure they stay dirty. */
  async flush(): Promise<void> {
    const flushed = [...this.dirty].map((key): [string, Entry<V>] => [
      key,
      this.entries.get(key) as Entry<V>,
    ]);
    if (flushed.length === 0) return;
    await this.store.write(flushed.map(([key, { encoded }]): StoreWrite => ({ key, value: encoded })));
    for (const [key, entry] of flushed) {
      // A put() during the write made the key dirty again with a newer entry: keep it dirty.
      if (this.entries.get(key) === entry) this.dirty.delete(key);
    }
  }

  /** Forgets uncommitted changes: their keys are evicted, so the next load() reads the store again. */
  discardDirty(): void {
    for (const key of this.dirty) this.entries.delete(key);
    this.dirty.clear();
  }

  /** Number of cached keys, dirty ones included. */
  get size(): number {
    return this.entries.size;
  }

  stats(): TwinCacheStats {
    const { size, hits, misses, evictions } = this;
    return { size, dirty: this.dirty.size, hits, misses, evictions };
  }

  /** Marks the key most recently used; returns its entry if cached. */
  private touch(key: string): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  private evict(pinned: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) return;
      if (this.dirty.has(key) || pinned.has(key)) continue;
      this.entries.delete(key);
      this.evictions++;
    }
  }

  private decoded(key: string, bytes: Buffer | undefined): Entry<V> {
    if (bytes === undefined) return { value: null, encoded: null };
    try {
      return { value: this.codec.decode(bytes), encoded: bytes };
    } catch (err) {
      const store = this.store.name;
      const message = `store ${store}: cannot decode value of key ${JSON.stringify(key)}`;
      throw new TwinfoldError('INTERNAL', message, { cause: err, details: { store, key } });
    }
  }
}
