import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../shared/logger';

export interface GlobalTableOptions<V> {
  kafka: Kafka;
  /** A compacted topic: the latest value per key, a tombstone (null) removes the key. */
  topic: string;
  /** Prefix of the throwaway group id (the application id). */
  groupPrefix: string;
  /** A record value as the table keeps it; throwing skips the record (logged). */
  decode(key: string, value: Buffer): V;
  /** Told after every change of a key (undefined: removed). Must not throw. */
  onChange?: (key: string, value: V | undefined) => void;
  logger: Logger;
}

interface Waiter {
  partition: number;
  offset: bigint;
  resolve: (seen: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * A whole compacted topic kept in memory on every instance (Kafka Streams' GlobalKTable): every
 * partition read from the beginning, no offsets committed, so each start reads it all again.
 * `start` resolves only once the table holds everything that was in the topic when it began, so
 * a fold that consults it never runs on a half-read table. kafkajs has only group consumers: a
 * throwaway group of one member owns every partition.
 */
export class GlobalTable<V> {
  private readonly values = new Map<string, V>();
  /** Next offset to read, per partition. */
  private readonly positions = new Map<number, bigint>();
  private waiters: Waiter[] = [];
  private consumer: Consumer | undefined;
  private readonly log: Logger;

  constructor(private readonly o: GlobalTableOptions<V>) {
    this.log = o.logger.child('global-table', { topic: o.topic });
  }

  get topic(): string {
    return this.o.topic;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  entries(): [string, V][] {
    return [...this.values.entries()];
  }

  /** Reads the topic up to its current end, then keeps following it. */
  async start(): Promise<void> {
    const { kafka, topic, groupPrefix } = this.o;
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map<number, bigint>();
    try {
      for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, BigInt(p.high));
    } finally {
      await admin.disconnect();
    }
    for (const p of ends.keys()) this.positions.set(p, 0n);
    const caughtUp = Promise.all([...ends].map(([p, end]) => this.waitUntil(p, end)));
    const consumer = kafka.consumer({
      groupId: `${groupPrefix}-global-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      this.advance(payload.partition, BigInt(payload.lastOffset) + 1n),
    );
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) this.apply(m.key?.toString('utf8') ?? '', m.value, m.offset);
        this.advance(batch.partition, BigInt(batch.lastOffset()) + 1n);
      },
    });
    await caughtUp;
    this.log.info('global table caught up', { entries: this.values.size });
  }

  async stop(): Promise<void> {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    await this.consumer?.disconnect();
  }

  /**
   * Resolves true once the table has read past `offset` of `partition` (a write it should now
   * show), false after `timeoutMs`.
   */
  waitFor(partition: number, offset: bigint, timeoutMs: number): Promise<boolean> {
    return this.waitUntil(partition, offset + 1n, timeoutMs);
  }

  private waitUntil(partition: number, next: bigint, timeoutMs = 2 ** 31 - 1): Promise<boolean> {
    if ((this.positions.get(partition) ?? 0n) >= next) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        partition,
        offset: next,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private apply(key: string, value: Buffer | null, offset: string): void {
    if (value === null) {
      if (this.values.delete(key)) this.o.onChange?.(key, undefined);
      return;
    }
    try {
      const decoded = this.o.decode(key, value);
      this.values.set(key, decoded);
      this.o.onChange?.(key, decoded);
    } catch (err) {
      this.log.warn('skipped a record the table cannot read', { key, offset, error: err });
    }
  }

  private advance(partition: number, next: bigint): void {
    if (next <= (this.positions.get(partition) ?? 0n)) return;
    this.positions.set(partition, next);
    const [done, waiting] = partitionBy(this.waiters, (w) => w.partition === partition && w.offset <= next);
    this.waiters = waiting;
    for (const w of done) {
      clearTimeout(w.timer);
      w.resolve(true);
    }
  }
}

function partitionBy<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
