import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/** Where a write landed: the table has it once it has read past this offset. */
export interface WrittenRecord {
  partition: number;
  offset: bigint;
}

/** Writes one key of a global table's topic (acks=all); null deletes the key (a tombstone). */
export interface GlobalTableWriter {
  put(topic: string, key: string, value: object | null): Promise<WrittenRecord>;
}

/** The global tables' writes over one idempotent producer. */
export class KafkaGlobalTableWriter implements GlobalTableWriter {
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

  async put(topic: string, key: string, value: object | null): Promise<WrittenRecord> {
    const [meta] = await this.producer.send({
      topic,
      acks: -1,
      messages: [{ key, value: value === null ? null : JSON.stringify(value) }],
    });
    if (meta === undefined || meta.baseOffset === undefined)
      throw new Error(`no record metadata for a write to ${topic}`);
    return { partition: meta.partition, offset: BigInt(meta.baseOffset) };
  }
}
