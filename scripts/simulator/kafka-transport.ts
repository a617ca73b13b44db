import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { topicNames, type TopicNames } from '../../shared/topics';
import { mqttTopicOf, type Downlink, type SimKind, type SimMessage } from './message';
import { pollPending, type ConnectListener, type Transport, type TransportCounts } from './transport';

export interface KafkaTransportOptions {
  brokers: string[];
  topicPrefix: string;
  clientId: string;
  /** Most records in one produce request. */
  batchSize: number;
}

const TOPIC_OF: Record<SimKind, keyof TopicNames> = {
  telemetry: 'telemetry',
  state: 'state',
  status: 'status',
  ack: 'acks',
  error: 'errors',
};

/**
 * The record the bridge writes for a device message (bridge/uplink-record.ts): keyed by device id,
 * compact JSON (status as `{"status": ...}`), the MQTT headers, the receive time as timestamp.
 */
export function toKafkaRecord(message: SimMessage, nowMs: number): Message {
  const { payload } = message;
  const value = JSON.stringify(typeof payload === 'string' ? { status: payload } : payload);
  return {
    key: message.deviceId,
    value,
    timestamp: String(nowMs),
    headers: {
      'mqtt.topic': mqttTopicOf(message),
      'mqtt.qos': '1',
      'mqtt.received_at': String(nowMs),
      'mqtt.message_id': randomUUID(),
      'mqtt.retain': String(message.retain),
    },
  };
}

/**
 * Devices straight into the Kafka input topics, skipping MQTT and the bridge: records are queued
 * and written by one loop, one produce request (acks=all) at a time, so per-device order holds.
 */
export class KafkaTransport implements Transport {
  readonly counts: TransportCounts = { published: 0, acknowledged: 0, failed: 0 };
  private readonly producer: Producer;
  private readonly names: TopicNames;
  private queue: { topic: string; message: Message }[] = [];
  private draining: Promise<void> | undefined;
  private readonly connectListeners: ConnectListener[] = [];

  constructor(private readonly options: KafkaTransportOptions) {
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.ERROR,
    });
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    this.names = topicNames({ topicPrefix: options.topicPrefix });
  }

  async connect(deviceIds: readonly string[]): Promise<void> {
    await this.producer.connect();
    for (const listener of this.connectListeners) listener(deviceIds, false);
  }

  publish(message: SimMessage): void {
    this.counts.published += 1;
    const topic = this.names[TOPIC_OF[message.kind]];
    this.queue.push({ topic, message: toKafkaRecord(message, Date.now()) });
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let the caller queue the rest of its burst
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.batchSize);
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of batch) {
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push(message);
      }
      const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      try {
        await this.producer.sendBatch({ topicMessages, acks: -1 });
        this.counts.acknowledged += batch.length;
      } catch (err) {
        this.counts.failed += batch.length;
        process.stderr.write(`simulator: Kafka write of ${batch.length} records failed: ${String(err)}\n`);
      }
    }
  }

  pending(): number {
    return this.counts.published - this.counts.acknowledged - this.counts.failed;
  }

  waitForPending(max: number): Promise<void> {
    return pollPending(() => this.pending(), max);
  }

  dropConnection(): void {
    // A Kafka producer has no device connection to lose.
  }

  onConnect(listener: ConnectListener): void {
    this.connectListeners.push(listener);
  }

  onDownlink(_listener: (downlink: Downlink) => void): void {
    // Commands and desired state reach devices over MQTT only.
  }

  async close(): Promise<void> {
    await pollPending(() => this.pending(), 0, 30000);
    await this.producer.disconnect();
  }
}
