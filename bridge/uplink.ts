import { randomUUID } from 'node:crypto';
import type { IConnackPacket, IPublishPacket, ISubscriptionMap, MqttClient } from 'mqtt';
import type { Logger } from '../shared/logger';
import type { JsonLimits } from '../shared/safe-json';
import type { BridgeConfig } from './bridge-config';
import type { KafkaRecord } from './kafka-writer';
import type { BridgeMetrics } from './metrics';
import { publishMeta } from './behaviour-meta';
import { createManualAcks, interceptPublishes, type ManualAcks } from './mqtt-acks';
import { OrderedBatcher } from './ordered-batcher';
import { toUplinkRecord, type InboundMessage, type UplinkRecord, type UplinkRoute } from './uplink-record';

export interface UplinkOptions {
  /** Created with `manualConnect: true` and the uplink options; the Uplink connects it. */
  client: MqttClient;
  routes: readonly UplinkRoute[];
  dlqTopic: string;
  limits: JsonLimits;
  /** Writes one batch to Kafka durably (see kafka-writer.ts); rejects to have it retried. */
  write: (records: readonly KafkaRecord[]) => Promise<void>;
  settings: Pick<
    BridgeConfig,
    | 'maxInFlight'
    | 'maxInFlightBytes'
    | 'batchMaxMessages'
    | 'batchMaxBytes'
    | 'lingerMs'
    | 'sharedGroup'
    | 'labelClientIds'
  >;
  metrics: BridgeMetrics;
  logger: Logger;
  now?: () => number;
  newMessageId?: () => string;
}

interface UplinkItem {
  record: UplinkRecord;
  bytes: number;
  qos: number;
  epoch: number;
  /** Sends the PUBACK (QoS 1 only); false when its connection is gone. */
  ack: (() => boolean) | undefined;
}

/**
 * MQTT → Kafka. Every received message becomes one Kafka record (data or dead letter) in one
 * ordered pipeline of batches; a QoS 1 message is acknowledged (PUBACK) only after its batch is
 * written with acks=all. While `maxInFlight` messages (or `maxInFlightBytes`) are unwritten, the
 * uplink stops reading from the broker. Failed writes are retried, never skipped, and never
 * acknowledged; what is unacknowledged when the bridge stops is redelivered by the broker to the
 * persistent session.
 */
export class Uplink {
  private readonly batcher: OrderedBatcher<UplinkItem>;
  private readonly acks: ManualAcks;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly newMessageId: () => string;
  private reading = true;
  private droppedAcks = 0;

  constructor(private readonly options: UplinkOptions) {
    this.log = options.logger.child('uplink');
    this.now = options.now ?? Date.now;
    this.newMessageId = options.newMessageId ?? randomUUID;
    const { settings } = options;
    this.batcher = new OrderedBatcher<UplinkItem>({
      write: (batch) => options.write(batch.map((item) => item.record)),
      onWritten: (batch) => this.acknowledge(batch),
      onWriteError: (error, attempt, batch) => {
        options.metrics.produceErrors.inc();
        this.log.warn('Kafka write failed; retrying the batch', { attempt, records: batch.length, error });
      },
      maxBatchItems: settings.batchMaxMessages,
      maxBatchBytes: settings.batchMaxBytes,
      lingerMs: settings.lingerMs,
    });
    // Before connecting: a resumed session delivers queued messages right after the CONNACK.
    this.acks = createManualAcks(options.client);
    interceptPublishes(options.client, (packet, release) => this.receive(packet, release));
    options.client.on('connect', (connack) => this.onReconnect(connack));
  }

  /** The subscription filters, e.g. `device/+/telemetry` (behind `$share/<group>/` when shared). */
  filters(): string[] {
    return this.options.routes.map((r) => r.template.filter(this.options.settings.sharedGroup));
  }

  /**
   * Subscribes at QoS 1 to every uplink topic. Retained messages are sent only when a subscription
   * is new (retain handling 1), not again on every restart of the persistent session. Retain as
   * published: the retain flag a device set reaches `mqtt.retain` (a behaviour feature).
   */
  async subscribe(): Promise<void> {
    const map: ISubscriptionMap = {};
    for (const filter of this.filters()) map[filter] = { qos: 1, rh: 1, rap: true };
    const granted = await this.options.client.subscribeAsync(map);
    for (const g of granted) {
      if (g.qos !== 1) this.log.warn('subscription not granted at QoS 1', { filter: g.topic, qos: g.qos });
    }
    this.log.info('subscribed', { filters: this.filters() });
  }

  /** Unwritten messages (the in-flight gauge). */
  get inFlight(): number {
    return this.batcher.size;
  }

  /**
   * Stops taking messages: the next PUBLISH is left unprocessed (mqtt.js reads no further) and
   * unacknowledged, so the broker keeps it for the session.
   */
  stopReading(): void {
    this.reading = false;
  }

  /**
   * Writes and acknowledges what is in flight, waiting at most `timeoutMs`, then closes the
   * pipeline: no more retries, but a produce request already sent is waited for (its messages are
   * still acknowledged if it succeeds). Returns false when messages were left unwritten; they stay
   * unacknowledged and the broker redelivers them to the session.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.stopReading();
    const drained = await this.batcher.drain(timeoutMs);
    if (!drained)
      this.log.warn('stopping with unwritten messages; the broker will redeliver them', {
        inFlight: this.batcher.size,
      });
    await this.batcher.close();
    this.options.metrics.inFlight.set(this.batcher.size);
    return drained;
  }

  private receive(packet: IPublishPacket, release: () => void): void {
    if (!this.reading) return; // never released: mqtt.js stops here, the message stays unacknowledged
    const { metrics, routes, dlqTopic, limits, settings } = this.options;
    const { labelDropped, ...meta } = publishMeta(packet, settings.labelClientIds);
    if (labelDropped) metrics.labelsDropped.inc();
    const msg: InboundMessage = {
      topic: packet.topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload, 'utf8') : packet.payload,
      qos: packet.qos,
      retain: packet.retain,
      receivedAt: this.now(),
      messageId: this.newMessageId(),
      ...meta,
    };
    const record = toUplinkRecord(msg, routes, dlqTopic, limits);
    metrics.messagesIn.inc({ kind: record.kind ?? 'unknown' });
    if (record.errorCode) {
      metrics.deadLetters.inc({ code: record.errorCode });
      this.log.debug('dead-lettering MQTT message', {
        topic: msg.topic.slice(0, 200),
        code: record.errorCode,
      });
    }
    const epoch = this.acks.epoch();
    const packetId = packet.messageId;
    const ack = packet.qos > 0 && packetId !== undefined ? () => this.acks.ack(packetId, epoch) : undefined;
    this.batcher.push({ record, bytes: record.bytes, qos: packet.qos, epoch, ack });
    metrics.inFlight.set(this.batcher.size);
    const { maxInFlight, maxInFlightBytes } = settings;
    if (this.batcher.size < maxInFlight && this.batcher.bytes < maxInFlightBytes) release();
    else void this.batcher.whenBelow(maxInFlight, maxInFlightBytes).then(() => this.reading && release());
  }

  private acknowledge(batch: readonly UplinkItem[]): void {
    let dropped = 0;
    for (const item of batch) if (item.ack && !item.ack()) dropped++;
    if (dropped > 0) {
      this.droppedAcks += dropped;
      this.log.info('written messages from a lost connection; the broker redelivers them', {
        dropped,
        total: this.droppedAcks,
      });
    }
    this.options.metrics.inFlight.set(this.batcher.size);
  }

  /**
   * After a reconnect that resumed the session, the broker resends every unacknowledged message
   * with its original packet id; queued copies from the old connection are dropped rather than
   * written twice. (Without a session they are kept: nothing else would write them.)
   */
  private onReconnect(connack: IConnackPacket): void {
    if (!connack.sessionPresent) return;
    const epoch = this.acks.epoch();
    const dropped = this.batcher.discard((item) => item.qos > 0 && item.epoch !== epoch);
    if (dropped > 0) this.log.info('dropped queued messages the broker redelivers', { dropped });
    this.options.metrics.inFlight.set(this.batcher.size);
  }
}
