import {
  Consumer,
  FetchIsolationLevels,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  type Message,
  type MessagesStream,
  stringSerializer,
} from '@platformatic/kafka';
import { nextOffsets, type BenchClient } from './client';
import { deadlineAt } from './kafkajs-client';
import { ensurePromiseWithResolvers } from './node20-shim';
import { foldOutputs } from './records';
import { TxBatcher } from './tx-batcher';

/**
 * twinfold's 20 ms fetch waits; 4 MB per partition and the client's 50 MB per fetch: with kafkajs's
 * 1 MB per partition (or 8 MB per fetch) it read the preload at half the rate, for the same CPU.
 */
const FETCH = {
  isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  maxWaitTime: 20,
  maxBytesPerPartition: 4 * 1024 * 1024,
  autocommit: false,
} as const;

/** Stops fetching while this many consumed records wait for their transaction. */
const MAX_PENDING = 20_000;

/**
 * Header names are strings (kafkajs takes them so); keys, values and header values are Buffers.
 * Without this serialiser the client takes header names as Buffers only, and an idempotent
 * producer retries a string name's TypeError without end (retries = MAX_SAFE_INTEGER).
 */
const SERIALIZERS = { headerKey: stringSerializer };

/** @platformatic/kafka (Buffers in and out, string header names). */
export function platformaticClient(brokers: string[]): BenchClient {
  ensurePromiseWithResolvers();
  const base = { bootstrapBrokers: brokers, clientId: 'bench-clients-platformatic' };

  function consumer(groupId: string): Consumer {
    return new Consumer({ ...base, groupId, ...FETCH });
  }

  async function stream(
    c: Consumer,
    topics: string[],
  ): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    return c.consume({ topics, mode: MessagesStreamModes.EARLIEST, ...FETCH });
  }

  return {
    name: '@platformatic/kafka',
    unsupported: (shape) =>
      shape === 'per-partition'
        ? 'not measured: one producer per instance (KIP-447) is what adopting it is for'
        : undefined,
    async produce(batches) {
      const producer = new Producer({
        ...base,
        serializers: SERIALIZERS,
        idempotent: true,
        acks: ProduceAcks.ALL,
      });
      try {
        for (const messages of batches) await producer.send({ messages });
      } finally {
        await producer.close();
      }
    },
    async consume(topics, groupId, total, deadline) {
      const c = consumer(groupId);
      let count = 0;
      let bytes = 0;
      let firstAt = 0;
      try {
        const s = await stream(c, topics);
        await Promise.race([
          new Promise<void>((resolve, reject) => {
            s.on('error', reject);
            s.on('data', (m) => {
              if (firstAt === 0) firstAt = Date.now();
              bytes += m.key.length + m.value.length;
              if (++count === total) resolve();
            });
          }),
          deadlineAt(deadline, () => `read ${count} of ${total}`),
        ]);
      } finally {
        await c.close(true);
      }
      return { firstAt, bytes };
    },
    async transactional(o) {
      if (o.shape !== 'single') throw new Error(`${o.shape}: not offered`);
      const c = consumer(o.groupId);
      const producer = new Producer({
        ...base,
        serializers: SERIALIZERS,
        idempotent: true,
        transactionalId: `${o.groupId}-single`,
        acks: ProduceAcks.ALL,
      });
      const batcher = new TxBatcher<Message>();
      let offsetMs = 0;
      try {
        const s = await stream(c, o.topics);
        const failed = new Promise<never>((_, reject) => s.on('error', reject));
        s.on('data', (m) => {
          batcher.add([m]);
          if (batcher.size >= MAX_PENDING) s.pause();
        });
        const loop = batcher.run(
          o.total,
          o,
          async (items) => {
            const tx = await producer.beginTransaction();
            try {
              for (let i = 0; i < items.length; i += o.perSend)
                await tx.send({ messages: foldOutputs(items.slice(i, i + o.perSend), o.outputs) });
              await tx.addConsumer(c);
              // One TxOffsetCommit per partition, carrying the group's generation and member id.
              // Sequential: concurrent addOffset calls are deduplicated into the first one.
              const began = Date.now();
              for (const last of nextOffsets(items).values()) await tx.addOffset(last);
              offsetMs += Date.now() - began;
              await tx.commit();
            } catch (err) {
              if (!tx.completed) await tx.abort().catch(() => undefined);
              throw err;
            }
          },
          () => {
            if (s.isPaused() && batcher.size < MAX_PENDING / 2) s.resume();
          },
        );
        await Promise.race([loop, failed]);
        return { transactions: batcher.transactions, offsetMs };
      } finally {
        await c.close(true);
        await producer.close();
      }
    },
  };
}
