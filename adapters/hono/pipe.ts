import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { groupByTopic, type KafkaRecord } from '../../bridge/kafka-writer';
import type { Logger } from '../../shared/logger';
import { chunkTopicMessages } from '../../topology/produce-chunks';
import { SerialQueue } from '../../topology/serial-queue';
import { MAX_SEND_BYTES } from '../../topology/task/limits';

/** Kafka's answer to a producer whose transactional id a newer producer initialised. */
function isFencing(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const type = (e as { type?: unknown }).type;
    if (type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED') return true;
  }
  return false;
}

export interface PipeOptions {
  kafka: Kafka;
  /** The consumer group and the transactional id: one running pipe per id (a new one fences the old). */
  id: string;
  topics: readonly string[];
  /** Where a new group starts: the beginning, or only what is written after it joined. */
  fromBeginning: boolean;
  /** The records one input becomes (a dead letter too); must not throw. */
  map: (topic: string, partition: number, message: KafkaMessage) => KafkaRecord[];
  logger: Logger;
  /** The consumer gave up for good (kafkajs will not restart it). */
  onFailure: (reason: string) => void;
  onJoin?: () => void;
}

/**
 * Kafka to Kafka, exactly once: each batch's output records and its input offset are written in
 * one transaction (read_committed readers, such as the processor, see each input's outputs once).
 * A failed transaction is aborted and the batch read again. `send` writes records that belong to
 * no input (the ttd timers) in a transaction of their own, after whatever is in progress.
 */
export class TransactionalPipe {
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly queue = new SerialQueue();
  /** kafkajs refuses every transaction after an abort that failed; the producer is then replaced. */
  private stuck = false;
  private replacement: Producer | undefined;
  /** Another producer with the same transactional id took over: this pipe must not write again. */
  private fenced = false;

  constructor(private readonly options: PipeOptions) {
    this.producer = this.createProducer();
    this.consumer = options.kafka.consumer({
      groupId: options.id,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
    });
  }

  private createProducer(): Producer {
    return this.options.kafka.producer({
      transactionalId: this.options.id,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60000,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 15, maxRetryTime: 1000, factor: 0.2, multiplier: 1.5, retries: 12 },
    });
  }

  private get active(): Producer {
    return this.replacement ?? this.producer;
  }

  async start(): Promise<void> {
    const { consumer, options } = this;
    await this.producer.connect();
    consumer.on(consumer.events.GROUP_JOIN, () => options.onJoin?.());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) options.onFailure(`consumer ${options.id} crashed: ${payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.batch(payload),
    });
  }

  private async batch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const records = batch.messages.flatMap((m) => this.options.map(batch.topic, batch.partition, m));
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const offset = (BigInt(last) + 1n).toString();
    await this.commit(records, { topic: batch.topic, partition: batch.partition, offset });
    resolveOffset(last);
    await heartbeat();
  }

  /** Writes records outside any input batch, in their own transaction. */
  send(records: KafkaRecord[]): Promise<void> {
    return this.commit(records, undefined);
  }

  private commit(
    records: KafkaRecord[],
    input: { topic: string; partition: number; offset: string } | undefined,
  ): Promise<void> {
    return this.queue.run(async () => {
      if (this.fenced) throw new Error(`${this.options.id} was fenced by another adapter with the same id`);
      if (this.stuck) await this.replaceProducer();
      const tx = await this.active.transaction();
      try {
        for (const chunk of chunkTopicMessages(groupByTopic(records), MAX_SEND_BYTES))
          await tx.sendBatch({ topicMessages: chunk, acks: -1 });
        if (input) {
          await tx.sendOffsets({
            consumerGroupId: this.options.id,
            topics: [
              { topic: input.topic, partitions: [{ partition: input.partition, offset: input.offset }] },
            ],
          });
        }
        await tx.commit();
      } catch (err) {
        if (isFencing(err)) {
          // Replacing the producer would fence the newer adapter in turn: give up instead.
          this.fenced = true;
          this.options.onFailure(`${this.options.id}: another adapter with the same id took over`);
          throw err;
        }
        this.options.logger.warn('transaction failed; the batch is read again', {
          id: this.options.id,
          error: err,
        });
        if (tx.isActive()) await tx.abort().catch(() => (this.stuck = true));
        throw err;
      }
    });
  }

  private async replaceProducer(): Promise<void> {
    await this.active.disconnect().catch(() => undefined);
    this.replacement = this.createProducer();
    await this.replacement.connect();
    this.stuck = false;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.queue.run(() => this.active.disconnect()).catch(() => undefined);
  }
}
