import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { TwinfoldError } from '../shared/errors';
import {
  assertValidRange,
  storeClosedError,
  type KeyRange,
  type KeyValueStore,
  type StoreWrite,
} from './key-value-store';

type Db = Level<string, Buffer>;

/** Keys deleted per write batch by clearRange. */
const CLEAR_BATCH = 10000;

/** level's error codes for "used while closed" (on the database, or on an iterator it closed). */
const CLOSED_CODES = new Set(['LEVEL_DATABASE_NOT_OPEN', 'LEVEL_ITERATOR_NOT_OPEN']);

/**
 * A persistent {@link KeyValueStore} on LevelDB (`level` v10), one directory per store, created
 * on first `open()`. A directory can be open in one instance at a time: opening it twice fails
 * with a retriable `NOT_READY` (e.g. the previous owner of a task has not closed it yet).
 *
 * The `Level` instance is created in `open()`, not in the constructor, because level starts
 * opening (and creates the directory) on the next tick after construction.
 */
export class LevelStore implements KeyValueStore {
  readonly persistent = true;
  private db: Db | undefined;

  constructor(
    readonly name: string,
    readonly directory: string,
  ) {}

  get isOpen(): boolean {
    return this.db?.status === 'open';
  }

  async open(): Promise<void> {
    this.db ??= new Level<string, Buffer>(this.directory, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    try {
      await this.db.open();
    } catch (err) {
      throw this.openError(err);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    // level's typings say Promise<V>, but v10 resolves undefined for a missing key.
    return this.guard('get', (db): Promise<Buffer | undefined> => db.get(key));
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | undefined)[]> {
    return this.guard('getMany', (db): Promise<(Buffer | undefined)[]> => db.getMany([...keys]));
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    await this.guard('write', (db) =>
      db.batch(
        batch.map(({ key, value }) =>
          value === null ? { type: 'del' as const, key } : { type: 'put' as const, key, value },
        ),
      ),
    );
  }

  async *iterate(range: KeyRange = {}): AsyncGenerator<[string, Buffer]> {
    assertValidRange(range);
    const iterator = this.requireOpen('iterate').iterator(toLevelRange(range));
    try {
      for (;;) {
        const entry = await this.guard('iterate', () => iterator.next());
        if (entry === undefined) return;
        yield entry;
      }
    } finally {
      await iterator.close();
    }
  }

  async *iterateValues(range: KeyRange, batchSize: number): AsyncGenerator<string[]> {
    assertValidRange(range);
    const options = { ...toLevelRange(range), keys: false, valueEncoding: 'utf8' };
    const iterator = this.requireOpen('iterateValues').iterator<string, string>(options);
    try {
      for (;;) {
        const batch = await this.guard('iterateValues', () => iterator.nextv(batchSize));
        if (batch.length === 0) return;
        yield batch.map(([, value]) => value);
      }
    } finally {
      await iterator.close();
    }
  }

  async clearRange(range: KeyRange): Promise<number> {
    assertValidRange(range);
    const options = { ...toLevelRange(range), values: false };
    const iterator = this.requireOpen('clearRange').iterator(options);
    let count = 0;
    try {
      for (;;) {
        const batch = await this.guard('clearRange', () => iterator.nextv(CLEAR_BATCH));
        if (batch.length === 0) return count;
        await this.guard('clearRange', (db) =>
          db.batch(batch.map(([key]) => ({ type: 'del' as const, key }))),
        );
        count += batch.length;
      }
    } finally {
      await iterator.close();
    }
  }

  async clear(): Promise<void> {
    await this.guard('clear', (db) => db.clear());
  }

  async close(): Promise<void> {
    await this.db?.close();
  }

  private requireOpen(operation: string): Db {
    if (this.db === undefined || this.db.status !== 'open') throw storeClosedError(this.name, operation);
    return this.db;
  }

  /** Runs `fn` on the open database; level's closed errors (e.g. a close mid-call) become ours. */
  private async guard<T>(operation: string, fn: (db: Db) => Promise<T>): Promise<T> {
    const db = this.requireOpen(operation);
    try {
      return await fn(db);
    } catch (err) {
      if (CLOSED_CODES.has(codeOf(err))) throw storeClosedError(this.name, operation, err);
      throw err;
    }
  }

  private openError(err: unknown): TwinfoldError {
    const cause = err instanceof Error ? err.cause : undefined;
    const locked = codeOf(cause) === 'LEVEL_LOCKED';
    const reason = locked ? 'is locked by another instance' : 'cannot be opened';
    const message = `store ${this.name} at ${this.directory} ${reason}`;
    const details = { store: this.name, directory: this.directory };
    return new TwinfoldError(locked ? 'NOT_READY' : 'INTERNAL', message, {
      cause: err,
      retriable: locked,
      details,
    });
  }
}

/**
 * Deletes a store directory and everything in it (LevelDB files and the checkpoint), e.g. before
 * restoring from the changelog. Close the store first. A missing directory is fine.
 * @throws RangeError for an empty path or a filesystem root, which are never a store.
 */
export async function wipeStoreDirectory(dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  if (dir.trim() === '' || path.parse(resolved).root === resolved) {
    throw new RangeError(`refusing to wipe ${JSON.stringify(dir)}: not a store directory`);
  }
  await rm(resolved, { recursive: true, force: true });
}

interface LevelRange {
  gt?: string;
  gte?: string;
  lt?: string;
  limit?: number;
  reverse?: boolean;
}

/** Only defined bounds: level treats `{ gt: undefined }` as a real bound that matches nothing. */
function toLevelRange(range: KeyRange): LevelRange {
  const options: LevelRange = {};
  if (range.gt !== undefined) options.gt = range.gt;
  if (range.gte !== undefined) options.gte = range.gte;
  if (range.lt !== undefined) options.lt = range.lt;
  if (range.limit !== undefined) options.limit = range.limit;
  if (range.reverse === true) options.reverse = true;
  return options;
}

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}
