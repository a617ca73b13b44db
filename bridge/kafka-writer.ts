import {
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type ProducerBatch,
  type TopicMessages,
} from 'kafkajs';
import type { BridgeMetrics } from './metrics';

export interface KafkaRecord {
  topic: string;
  message: Message;
}

/** The one producer call the writer needs (kafkajs `producer.sendBatch`). */
export type SendBatch = (batch: ProducerBatch) => Promise<unknown>;

/** Groups records by topic, keeping their order within each topic (and so within each partition). */
export function groupByTopic(records: readonly KafkaRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of records) {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push(message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Writes a batch of records in one produce request with acks=-1 (all in-sync replicas). Rejects
 * when the producer gives up; the caller retries the same batch.
 */
export function createKafkaWriter(
  sendBatch: SendBatch,
  metrics: Pick<BridgeMetrics, 'messagesProduced' | 'produceLatency'>,
): (records: readonly KafkaRecord[]) => Promise<void> {
  return async (records) => {
    if (records.length === 0) return;
    const topicMessages = groupByTopic(records);
    const stopTimer = metrics.produceLatency.startTimer();
    await sendBatch({ topicMessages, acks: -1 });
    stopTimer();
    for (const { topic, messages } of topicMessages) metrics.messagesProduced.inc({ topic }, messages.length);
  };
}

/**
 * kafkajs retries inside one send (about 2.5 s in all); the uplink then re-sends the same batch, so
 * failures show in logs and metrics and a stop is never stuck behind a send. kafkajs warns that
 * limiting retries "may invalidate EoS guarantees" (for any limit, the shared client's default
 * too); a failed request's sequence numbers are rolled back (kafkajs sendMessages.js), so the
 * re-sent batch carries the same ones.
 */
const PRODUCER_RETRY = { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 };

/**
 * The bridge's producer: idempotent, one request in flight per broker, Java-compatible murmur2
 * partitioning (docs/contract.md), never creating topics. Sends use acks=-1 (createKafkaWriter).
 */
export function createBridgeProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    retry: PRODUCER_RETRY,
  });
}
