import type { Message, ProducerBatch, TopicMessages } from 'kafkajs';
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
