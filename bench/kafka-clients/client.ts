import type { OutputTopics, OutRecord } from './records';

/** How the transactional loop is shaped. */
export type TxShape =
  /** twinfold today: a transactional producer per partition, one transaction per fetched batch. */
  | 'per-partition'
  /** One transactional producer for the instance, one transaction per commit interval. */
  | 'single';

export interface TxOptions {
  groupId: string;
  topics: string[];
  /** Input records to process (the loop ends once all their offsets are committed). */
  total: number;
  outputs: OutputTopics;
  shape: TxShape;
  intervalMs: number;
  /** Inputs whose outputs go in one send (keeps every partition's batch under the broker's 1 MB). */
  perSend: number;
  maxPerTx: number;
  deadline: number;
}

/** What a transactional run did: transactions, and the time spent committing offsets in them. */
export interface TxStats {
  transactions: number;
  offsetMs: number;
}

/** One Kafka client under test; every method runs to completion and closes what it opened. */
export interface BenchClient {
  name: string;
  /** Sends the batches one after another: idempotent, acks=all. */
  produce(batches: OutRecord[][]): Promise<void>;
  /**
   * Reads `total` records of `topics` from the beginning with a fresh group, read_committed.
   * Returns the epoch ms of the first record and the bytes read (keys and values).
   */
  consume(
    topics: string[],
    groupId: string,
    total: number,
    deadline: number,
  ): Promise<{ firstAt: number; bytes: number }>;
  /** Consume, transform (foldOutputs), produce and commit the offsets in transactions. */
  transactional(options: TxOptions): Promise<TxStats>;
  /** Why a shape is not offered (undefined: it is). */
  unsupported(shape: TxShape): string | undefined;
}

/** Last offset + 1 per topic-partition of consumed records (what a commit sends). */
export function nextOffsets<T extends { topic: string; partition: number; offset: bigint }>(
  records: readonly T[],
): Map<string, T> {
  const last = new Map<string, T>();
  for (const r of records) {
    const key = `${r.topic}\u0000${r.partition}`;
    const seen = last.get(key);
    if (!seen || seen.offset < r.offset) last.set(key, r);
  }
  return last;
}
