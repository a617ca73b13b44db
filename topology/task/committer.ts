import type { RecordMetadata, TopicMessages } from 'kafkajs';

/** The input records a commit covers: everything of `topic` (this task's partition) before `nextOffset`. */
export interface InputPosition {
  readonly topic: string;
  readonly nextOffset: string;
}

/**
 * One unit of a task's work: the changelog records of every store of the task, then the output
 * records, and (for a batch, not for a timer) the input position they cover.
 */
export interface CommitUnit {
  readonly records: readonly TopicMessages[];
  readonly input: InputPosition | undefined;
}

/** What a committer may do with the task's store checkpoint after a commit. */
export interface CheckpointWriter {
  /** Writes the checkpoint of every store of the task at its current changelog position. */
  checkpoint(): Promise<void>;
}

/**
 * How a task makes its work durable: one implementation per processing guarantee. The task calls
 * `send` with a unit, then (only if it resolved) writes its stores, then calls `afterStoreWrite`.
 * A store that joins the task (a second store next to the twins) only adds changelog records to
 * the unit: it commits with the rest, in the same transaction under exactly_once.
 */
export interface Committer {
  readonly guarantee: 'exactly_once' | 'at_least_once';
  /**
   * Whether a store checkpoint may exist while the task runs. Under exactly_once a store with no
   * checkpoint may hold writes of an aborted transaction, so the task deletes it when processing
   * starts and writes one only on a clean close.
   */
  readonly checkpointsWhileRunning: boolean;
  /** Before the store opens: under exactly_once, fences any previous owner of the partition. */
  open(): Promise<void>;
  /** Makes the unit durable (atomically under exactly_once) or throws; the records' metadata. */
  send(unit: CommitUnit): Promise<RecordMetadata[]>;
  /** After the stores hold the unit's changes (at_least_once commits the input offsets here). */
  afterStoreWrite(unit: CommitUnit, stores: CheckpointWriter): Promise<void>;
  close(): Promise<void>;
}
