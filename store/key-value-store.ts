import { TwinfoldError } from '../shared/errors';

/** One entry of an atomic write: a `null` value deletes the key (deleting a missing key is a no-op). */
export interface StoreWrite {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * A key range for {@link KeyValueStore.iterate}. Bounds are compared in UTF-8 byte order (see
 * {@link compareKeys}). At most one of `gt`/`gte`; `limit` is a non-negative integer (no limit
 * when omitted). Anything else is a programming error (RangeError).
 */
export interface KeyRange {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly limit?: number;
  /** Descending key order (the bounds stay the same; `limit` counts from the top). */
  readonly reverse?: boolean;
}

/**
 * The engine seam, bytes only (serialisation belongs to the layers above, e.g. TwinCache).
 * Implementations pass the shared contract test in test/unit/store/key-value-store.contract.ts.
 *
 * Lifecycle: `new` (closed) → `open()` → open → `close()` → closed → `open()` again is allowed.
 * Both are idempotent. Every read and write on a closed store rejects with a TwinfoldError
 * `NOT_READY` naming the store (see {@link storeClosedError}); so does an iteration in progress
 * when the store closes. The owner that opened a store closes it.
 */
export interface KeyValueStore {
  /** Stable name, used in errors, logs and metrics. */
  readonly name: string;
  /** True if the contents survive `close()` + `open()` (and a process restart). */
  readonly persistent: boolean;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** The value, or undefined if the key is absent. */
  get(key: string): Promise<Buffer | undefined>;
  /** Values in the order of `keys` (duplicates allowed), undefined for each absent key. */
  getMany(keys: readonly string[]): Promise<(Buffer | undefined)[]>;
  /** Applies all entries atomically, in order (a later entry for the same key wins). */
  write(batch: readonly StoreWrite[]): Promise<void>;
  /**
   * Entries in ascending key order, from a consistent view taken when iteration starts (later
   * writes are not seen). Breaking out of the loop releases the underlying iterator.
   */
  iterate(range?: KeyRange): AsyncIterable<[string, Buffer]>;
  /**
   * The values of a range as UTF-8 text, keys left out, in batches of at most `batchSize`: the
   * fast path of long scans (a history query reads tens of thousands of entries).
   */
  iterateValues(range: KeyRange, batchSize: number): AsyncIterable<string[]>;
  /** Deletes every entry of the range (not atomically); returns how many there were. */
  clearRange(range: KeyRange): Promise<number>;
  /** Deletes every entry. Not atomic on every engine: meant for wiping, not for transactions. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Orders keys as LevelDB does: by their UTF-8 bytes. This differs from JavaScript's default
 * string sort (UTF-16 code units) for characters beyond U+FFFF, so engines must not use `sort()`.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Throws RangeError for a range no engine should guess at (both gt and gte, or a bad limit). */
export function assertValidRange(range: KeyRange): void {
  if (range.gt !== undefined && range.gte !== undefined) {
    throw new RangeError('key range: pass at most one of gt and gte');
  }
  const { limit } = range;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(`key range: limit must be a non-negative integer, got ${String(limit)}`);
  }
}

/** True if `key` lies inside the bounds of `range` (ignores `limit`). */
export function isInRange(key: string, range: KeyRange): boolean {
  if (range.gt !== undefined && compareKeys(key, range.gt) <= 0) return false;
  if (range.gte !== undefined && compareKeys(key, range.gte) < 0) return false;
  if (range.lt !== undefined && compareKeys(key, range.lt) >= 0) return false;
  return true;
}

/**
 * The error for any operation on a closed store. `NOT_READY` (503) because during a rebalance a
 * query can race a store being closed; not retriable on the same store object: callers look the
 * store up again.
 */
export function storeClosedError(store: string, operation: string, cause?: unknown): TwinfoldError {
  return new TwinfoldError('NOT_READY', `store ${store} is not open (${operation})`, {
    cause,
    details: { store, operation },
  });
}
