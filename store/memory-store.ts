import {
  assertValidRange,
  compareKeys,
  isInRange,
  storeClosedError,
  type KeyRange,
  type KeyValueStore,
  type StoreWrite,
} from './key-value-store';

/**
 * An in-memory {@link KeyValueStore} for unit tests and non-persistent stores. Not persistent:
 * like Kafka Streams' in-memory store, `close()` drops the contents. Values are copied in and
 * out, so callers can never mutate what is stored. Iteration sorts on every call: fine for tests,
 * not for large stores.
 */
export class MemoryStore implements KeyValueStore {
  readonly persistent = false;
  private entries = new Map<string, Buffer>();
  private open_ = false;

  constructor(readonly name: string) {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    this.open_ = true;
  }

  async get(key: string): Promise<Buffer | undefined> {
    this.assertOpen('get');
    return copy(this.entries.get(key));
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | undefined)[]> {
    this.assertOpen('getMany');
    return keys.map((key) => copy(this.entries.get(key)));
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    this.assertOpen('write');
    // Validate first so a bad entry leaves the store untouched (the batch is atomic).
    for (const { value } of batch) {
      if (value !== null && !Buffer.isBuffer(value))
        throw new TypeError('store write: value must be a Buffer or null');
    }
    for (const { key, value } of batch) {
      if (value === null) this.entries.delete(key);
      else this.entries.set(key, Buffer.from(value));
    }
  }

  async *iterate(range: KeyRange = {}): AsyncGenerator<[string, Buffer]> {
    assertValidRange(range);
    this.assertOpen('iterate');
    for (const [key, value] of this.view(range)) {
      this.assertOpen('iterate');
      yield [key, Buffer.from(value)];
    }
  }

  async *iterateValues(range: KeyRange, batchSize: number): AsyncGenerator<string[]> {
    assertValidRange(range);
    this.assertOpen('iterateValues');
    const values = this.view(range).map(([, value]) => value.toString('utf8'));
    for (let i = 0; i < values.length; i += batchSize) {
      this.assertOpen('iterateValues');
      yield values.slice(i, i + batchSize);
    }
  }

  async clearRange(range: KeyRange): Promise<number> {
    assertValidRange(range);
    this.assertOpen('clearRange');
    const doomed = this.view(range);
    for (const [key] of doomed) this.entries.delete(key);
    return doomed.length;
  }

  /** A snapshot of the range, in its order: LevelDB iterators read from an implicit snapshot too. */
  private view(range: KeyRange): [string, Buffer][] {
    const sorted = [...this.entries]
      .filter(([key]) => isInRange(key, range))
      .sort(([a], [b]) => compareKeys(a, b));
    if (range.reverse === true) sorted.reverse();
    return sorted.slice(0, range.limit ?? Infinity);
  }

  async clear(): Promise<void> {
    this.assertOpen('clear');
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.open_ = false;
    this.entries = new Map();
  }

  private assertOpen(operation: string): void {
    if (!this.open_) throw storeClosedError(this.name, operation);
  }
}

function copy(value: Buffer | undefined): Buffer | undefined {
  return value === undefined ? undefined : Buffer.from(value);
}
