import { Partitioners, type Kafka, type RecordMetadata, type Transaction } from 'kafkajs';
import { chunkTopicMessages } from '../produce-chunks';
import { MAX_SEND_BYTES } from './limits';
import type { Committer, CommitUnit } from './committer';

/** The parts of a kafkajs transactional producer the committer uses (a fake in unit tests). */
export interface TransactionalProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  transaction(): Promise<Pick<Transaction, 'sendBatch' | 'sendOffsets' | 'commit' | 'abort' | 'isActive'>>;
}

/** Makes the partition's transactional producer; kafkajs's `kafka.producer` in the service. */
export type TransactionalProducerFactory = (
  config: Parameters<Kafka['producer']>[0],
) => TransactionalProducer;

/**
 * exactly_once: one transactional producer per partition (`<applicationId>-<partition>`, so a new
 * owner fences the old one; kafkajs has no KIP-447). Changelogs, outputs and input offsets are
 * sent and committed in one transaction.
 */
export class ExactlyOnceCommitter implements Committer {
  readonly guarantee = 'exactly_once';
  readonly checkpointsWhileRunning = false;
  private producer: TransactionalProducer | undefined;
  /**
   * Set when a transaction could not be aborted (Kafka away): kafkajs's transaction state then
   * stays ABORTING and refuses every later transaction, so the next send replaces the producer
   * (its initialisation aborts what the broker still holds open).
   */
  private stuck = false;

  constructor(
    private readonly createProducer: TransactionalProducerFactory,
    private readonly applicationId: string,
    private readonly partition: number,
  ) {}

  async open(): Promise<void> {
    this.producer = this.createProducer({
      transactionalId: `${this.applicationId}-${this.partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60000,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The next transaction of a partition often starts while the broker is still writing the
      // previous one's markers (CONCURRENT_TRANSACTIONS); kafkajs's default 100 ms doubling
      // backoff turned that into seconds of latency. The Java client retries this after ~20 ms.
      retry: { initialRetryTime: 15, maxRetryTime: 1000, factor: 0.2, multiplier: 1.5, retries: 12 },
    });
    await this.producer.connect();
  }

  async send({ records, input }: CommitUnit): Promise<RecordMetadata[]> {
    if (records.length === 0 && !input) return [];
    if (!this.producer) throw new Error(`committer of partition ${this.partition} is not open`);
    if (this.stuck) await this.replaceProducer();
    const tx = await this.producer.transaction();
    try {
      const metadata: RecordMetadata[] = [];
      for (const chunk of chunkTopicMessages([...records], MAX_SEND_BYTES))
        metadata.push(...(await tx.sendBatch({ topicMessages: chunk, acks: -1 })));
      if (input) {
        await tx.sendOffsets({
          consumerGroupId: this.applicationId,
          topics: [
            { topic: input.topic, partitions: [{ partition: this.partition, offset: input.nextOffset }] },
          ],
        });
      }
      await tx.commit();
      return metadata;
    } catch (err) {
      if (tx.isActive()) await tx.abort().catch(() => (this.stuck = true));
      throw err;
    }
  }

  private async replaceProducer(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    await this.open();
    this.stuck = false;
  }

  async afterStoreWrite(): Promise<void> {
    // The offsets were committed with the transaction.
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}
