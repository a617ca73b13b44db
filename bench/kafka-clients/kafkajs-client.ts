import { Partitioners, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import { benchKafka } from '../support/kafka';
import { nextOffsets, type BenchClient, type TxOptions } from './client';
import { foldOutputs, type InRecord, type OutRecord } from './records';
import { TxBatcher } from './tx-batcher';

/** The consumer settings of twinfold's processor (topology/stream-processor.ts). */
const CONSUMER = { readUncommitted: false, maxWaitTimeInMs: 20, maxBytesPerPartition: 1024 * 1024 };
/** The transactional producer settings of twinfold (topology/task/exactly-once-committer.ts). */
const TX_RETRY = { initialRetryTime: 15, maxRetryTime: 1000, factor: 0.2, multiplier: 1.5, retries: 12 };

function topicMessages(records: readonly OutRecord[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const { topic, partition, key, value, headers } of records) {
    let t = byTopic.get(topic);
    if (!t) byTopic.set(topic, (t = { topic, messages: [] }));
    t.messages.push({ partition, key, value, headers });
  }
  return [...byTopic.values()];
}

interface Consumed extends InRecord {
  topic: string;
  offset: bigint;
}

async function transactionalProducer(kafka: Kafka, transactionalId: string): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 60000,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: TX_RETRY,
  });
  await producer.connect();
  return producer;
}

/** kafkajs, configured as twinfold configures it. */
export function kafkajsClient(brokers: string[]): BenchClient {
  const kafka = benchKafka(brokers, 'bench-clients-kafkajs');
  let offsetMs = 0;

  /** Sends `inputs`' outputs and their offsets in one transaction of `producer`. */
  async function commitTx(producer: Producer, inputs: Consumed[], o: TxOptions): Promise<void> {
    const tx = await producer.transaction();
    try {
      for (let i = 0; i < inputs.length; i += o.perSend)
        await tx.sendBatch({
          topicMessages: topicMessages(foldOutputs(inputs.slice(i, i + o.perSend), o.outputs)),
          acks: -1,
        });
      const topics = new Map<string, { partition: number; offset: string }[]>();
      for (const r of nextOffsets(inputs).values()) {
        const list = topics.get(r.topic) ?? [];
        list.push({ partition: r.partition, offset: String(r.offset + 1n) });
        topics.set(r.topic, list);
      }
      const began = Date.now();
      await tx.sendOffsets({
        consumerGroupId: o.groupId,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
      offsetMs += Date.now() - began;
      await tx.commit();
    } catch (err) {
      if (tx.isActive()) await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  return {
    name: 'kafkajs',
    unsupported: () => undefined,
    async produce(batches) {
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      try {
        for (const batch of batches)
          await producer.sendBatch({ topicMessages: topicMessages(batch), acks: -1 });
      } finally {
        await producer.disconnect();
      }
    },
    async consume(topics, groupId, total, deadline) {
      const consumer = kafka.consumer({ groupId, ...CONSUMER });
      let count = 0;
      let bytes = 0;
      let firstAt = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      try {
        await consumer.connect();
        for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: 16,
          eachBatch: async ({ batch }) => {
            if (firstAt === 0) firstAt = Date.now();
            for (const m of batch.messages) bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
            count += batch.messages.length;
            if (count >= total) done();
          },
        });
        await Promise.race([finished, deadlineAt(deadline, () => `read ${count} of ${total}`)]);
      } finally {
        await consumer.disconnect();
      }
      return { firstAt, bytes };
    },
    async transactional(o) {
      offsetMs = 0;
      const consumer = kafka.consumer({ groupId: o.groupId, ...CONSUMER });
      const producers = new Map<number, Producer>();
      const batcher = new TxBatcher<Consumed>();
      const chains = new Map<number, Promise<void>>();
      let committed = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      try {
        let single: Producer | undefined;
        if (o.shape === 'single') {
          single = await transactionalProducer(kafka, `${o.groupId}-single`);
          producers.set(-1, single);
        }
        await consumer.connect();
        for (const topic of o.topics) await consumer.subscribe({ topic, fromBeginning: true });
        let transactions = 0;
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: 16,
          eachBatch: async ({ batch }) => {
            const inputs: Consumed[] = batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: BigInt(m.offset),
              key: m.key,
              value: m.value,
            }));
            if (inputs.length === 0) return;
            if (single) return batcher.add(inputs, true);
            // One producer per partition; the batches of a partition's topics take turns on it.
            const p = batch.partition;
            const turn = (chains.get(p) ?? Promise.resolve()).then(async () => {
              let producer = producers.get(p);
              if (!producer)
                producers.set(p, (producer = await transactionalProducer(kafka, `${o.groupId}-${p}`)));
              await commitTx(producer, inputs, o);
              transactions++;
              committed += inputs.length;
              if (committed >= o.total) done();
            });
            chains.set(
              p,
              turn.catch(() => undefined),
            );
            await turn;
          },
        });
        if (single) {
          const producer = single;
          await batcher.run(o.total, o, (items) => commitTx(producer, items, o));
          return { transactions: batcher.transactions, offsetMs };
        }
        await Promise.race([finished, deadlineAt(o.deadline, () => `committed ${committed} of ${o.total}`)]);
        return { transactions, offsetMs };
      } finally {
        await consumer.disconnect();
        await Promise.all([...producers.values()].map((p) => p.disconnect().catch(() => undefined)));
      }
    },
  };
}

/** Rejects at `deadline` with what `progress` says. */
export function deadlineAt(deadline: number, progress: () => string): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`out of time: ${progress()}`)), deadline - Date.now());
    timer.unref();
  });
}
