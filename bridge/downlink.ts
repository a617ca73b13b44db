import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { MqttClient } from 'mqtt';
import { deadLetter } from '../shared/dead-letter';
import { toTwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { JsonLimits } from '../shared/safe-json';
import { parseDownlinkRecord, type DownlinkKind } from './downlink-record';
import type { KafkaRecord } from './kafka-writer';
import type { BridgeMetrics } from './metrics';
import type { TopicTemplate } from './topic-template';

export interface DownlinkOptions {
  /** A consumer of group `<applicationId>-bridge-downlink`, not yet connected. */
  consumer: Consumer;
  /** A connected MQTT client to publish on. */
  client: MqttClient;
  downlinkTopic: string;
  dlqTopic: string;
  templates: Record<DownlinkKind, TopicTemplate>;
  limits: JsonLimits;
  /** Writes one dead letter durably (acks=all). */
  sendDeadLetter: (record: KafkaRecord) => Promise<void>;
  /** Publishes awaiting PUBACK at once, per partition batch. */
  concurrency: number;
  metrics: BridgeMetrics;
  logger: Logger;
  heartbeatIntervalMs?: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Kafka → MQTT. Publishes each device.downlink record's payload at QoS 1 to the device's command or
 * desired topic; a record's offset is resolved (and so committed) only after the broker's PUBACK
 * for it and every record before it in its partition. Invalid records go to the DLQ and are
 * skipped. Publishes of one partition are issued in offset order on one connection, so the broker
 * delivers them to a device in that order.
 */
export class Downlink {
  private readonly log: Logger;

  constructor(private readonly options: DownlinkOptions) {
    this.log = options.logger.child('downlink', { topic: options.downlinkTopic });
  }

  async start(): Promise<void> {
    const { consumer, downlinkTopic } = this.options;
    await consumer.connect();
    await consumer.subscribe({ topics: [downlinkTopic], fromBeginning: true });
    await consumer.run({
      // kafkajs commits only resolved offsets, and deliverBatch resolves an offset only after the
      // PUBACKs of it and of every record before it; it also commits each chunk itself.
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.deliverBatch(payload),
    });
    this.log.info('consuming');
  }

  /** Stops consuming; a batch in progress stops waiting and leaves its unacknowledged offsets unresolved. */
  async stop(): Promise<void> {
    await this.options.consumer.disconnect();
  }

  private async deliverBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { concurrency } = this.options;
    for (let i = 0; i < batch.messages.length; i += concurrency) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + concurrency);
      // Started in offset order: each publish is written to the socket before the next begins.
      const deliveries = chunk.map((m) => this.deliver(batch.topic, batch.partition, m));
      const outcome = await this.whileHeartbeating(Promise.all(deliveries), heartbeat, isRunning);
      if (outcome === 'stopped') return;
      if (!outcome.ok) throw outcome.error;
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      // Every record up to `last` is acknowledged by the broker: commit now rather than at the end
      // of a long batch, so a crash redelivers at most one chunk.
      const next = (BigInt(last) + 1n).toString();
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
      await heartbeat();
    }
  }

  /** Publishes one record (resolves on PUBACK), or dead-letters it (resolves once written). */
  private async deliver(topic: string, partition: number, m: KafkaMessage): Promise<void> {
    const { client, templates, limits, metrics } = this.options;
    let delivery;
    try {
      delivery = parseDownlinkRecord(m.key, m.value, templates, limits);
    } catch (error) {
      const err = toTwinfoldError(error);
      metrics.deadLetters.inc({ code: err.code });
      this.log.warn('dead-lettering downlink record', { partition, offset: m.offset, code: err.code });
      const message = deadLetter(
        { component: 'bridge', topic, partition, offset: m.offset },
        m.key,
        m.value,
        err,
        Date.now(),
      );
      await this.options.sendDeadLetter({ topic: this.options.dlqTopic, message });
      return;
    }
    await client.publishAsync(delivery.topic, delivery.payload, { qos: 1 });
    metrics.downlinkDelivered.inc({ kind: delivery.kind });
  }

  /**
   * Waits for `work`, sending consumer heartbeats meanwhile (a broker that is slow to PUBACK must
   * not cost the group membership); gives up with 'stopped' when the consumer is stopping.
   */
  private async whileHeartbeating<T>(
    work: Promise<T>,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<Outcome<T> | 'stopped'> {
    const settled: Promise<Outcome<T>> = work.then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
    const interval = this.options.heartbeatIntervalMs ?? 1000;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), interval)));
      const first = await Promise.race([settled, tick]);
      clearTimeout(timer);
      if (first !== 'tick') return first;
      if (!isRunning()) return 'stopped';
      await heartbeat();
    }
  }
}
