import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { JsonObject } from '../topology/twin';

/**
 * Where the API's writes go: one JSON record keyed by the device id, with its headers (who made
 * it and why: `twinfold.actor`, `twinfold.reason`), resolved once acknowledged.
 */
export interface InputProducer {
  send(
    topic: string,
    key: string,
    value: JsonObject,
    headers?: Readonly<Record<string, string>>,
  ): Promise<void>;
}

/** The input topics on Kafka: acks=all, idempotent. */
export class KafkaInputProducer implements InputProducer {
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(
    topic: string,
    key: string,
    value: JsonObject,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: [{ key, value: JSON.stringify(value), headers: { ...headers } }],
    });
  }
}
