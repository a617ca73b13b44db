import type { Producer, RecordMetadata } from 'kafkajs';
import { chunkTopicMessages } from '../produce-chunks';
import { CHECKPOINT_INTERVAL_MS, MAX_SEND_BYTES } from './limits';
import type { CheckpointWriter, Committer, CommitUnit } from './committer';

/** Commits the consumer's position of one input partition (the group consumer's commitOffsets). */
export type OffsetCommitter = (topic: string, partition: number, nextOffset: string) => Promise<void>;

/**
 * at_least_once: records go out through the process's shared idempotent producer; after the store
 * write the consumer commits the input offsets (store first, then offsets: a crash in between
 * replays records, never skips them), and the store checkpoint is rewritten every few seconds.
 */
export class AtLeastOnceCommitter implements Committer {
  readonly guarantee = 'at_least_once';
  readonly checkpointsWhileRunning = true;
  private lastCheckpointAt = -Infinity;

  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly commitOffsets: OffsetCommitter,
    private readonly partition: number,
    private readonly now: () => number = Date.now,
  ) {}

  async open(): Promise<void> {
    // The shared producer is connected by the processor.
  }

  async send({ records }: CommitUnit): Promise<RecordMetadata[]> {
    const metadata: RecordMetadata[] = [];
    for (const chunk of chunkTopicMessages([...records], MAX_SEND_BYTES))
      metadata.push(...(await this.producer.sendBatch({ topicMessages: chunk, acks: -1 })));
    return metadata;
  }

  async afterStoreWrite({ input }: CommitUnit, stores: CheckpointWriter): Promise<void> {
    if (input) await this.commitOffsets(input.topic, this.partition, input.nextOffset);
    if (this.now() - this.lastCheckpointAt < CHECKPOINT_INTERVAL_MS) return;
    this.lastCheckpointAt = this.now();
    await stores.checkpoint();
  }

  async close(): Promise<void> {
    // The shared producer is disconnected by the processor.
  }
}
