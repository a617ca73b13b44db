import { randomBytes, randomUUID } from 'node:crypto';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { InputProducer } from '../../api/input-producer';
import { createManualAcks, interceptPublishes, type ManualAcks } from '../../bridge/mqtt-acks';
import { deadLetter } from '../../shared/dead-letter';
import { toTwinfoldError } from '../../shared/errors';
import {
  ACTOR_HEADER,
  decodeInput,
  REASON_HEADER,
  type DecodeLimits,
  type InputKind,
} from '../../shared/inputs';
import type { JsonObject } from '../../shared/json';
import type { Logger } from '../../shared/logger';
import { GATEWAY_TOPICS } from './gateway-topics';
import type { ThingsBoardMetrics } from './metrics';
import { commandRecord, desiredRecord, parseAttributeMessage, parseRpcMessage } from './tb-requests-map';

/** Where refused messages go: device.dlq (shared/dead-letter.ts), original bytes and the reason. */
export type DeadLetterSink = (message: ReturnType<typeof deadLetter>) => Promise<void>;

export interface TbRequestsOptions {
  /** The gateway's MQTT client, before it connects (manual PUBACKs need its first connection). */
  client: MqttClient;
  /** The API's producer of the input topics (api/input-producer.ts). */
  producer: InputProducer;
  deadLetters: DeadLetterSink;
  topics: { desired: string; commands: string };
  /** Shared attributes accepted as desired state; empty: all. */
  desiredAttributes: ReadonlySet<string>;
  rpcTtlSeconds: number;
  actor: string;
  limits: DecodeLimits;
  metrics: ThingsBoardMetrics;
  logger: Logger;
}

/** What an accepted message becomes: one record for an input topic. */
interface InputWrite {
  kind: Extract<InputKind, 'desired' | 'command'>;
  device: string;
  record: JsonObject;
  reason: string;
}

/**
 * ThingsBoard → twinfold: shared-attribute updates (`v1/gateway/attributes`) become desired-state
 * patches on device.desired, server-side RPCs (`v1/gateway/rpc`) commands on device.commands,
 * produced with the API's producer and checked first with the processor's own decoder, so the
 * processor never refuses them. A message's PUBACK is sent once its record is written (acks=all).
 * A message that is not a valid request is logged, counted and dead-lettered, then acknowledged:
 * nothing from ThingsBoard blocks the others.
 */
export class TbRequests {
  private readonly log: Logger;
  private readonly acks: ManualAcks;

  constructor(private readonly o: TbRequestsOptions) {
    this.log = o.logger.child('tb-requests');
    this.acks = createManualAcks(o.client);
    interceptPublishes(o.client, (packet, release) => {
      const epoch = this.acks.epoch();
      release();
      void this.handle(packet).then((done) => {
        if (done && packet.qos === 1 && packet.messageId !== undefined)
          this.acks.ack(packet.messageId, epoch);
      });
    });
  }

  /** Subscribes to the gateway's inbound topics (call once connected). */
  async subscribe(): Promise<void> {
    await this.o.client.subscribeAsync([GATEWAY_TOPICS.attributes, GATEWAY_TOPICS.rpc], { qos: 1 });
  }

  /** Resolves true when the message is dealt with (written, ignored or dead-lettered). */
  private async handle(packet: IPublishPacket): Promise<boolean> {
    const { topic } = packet;
    const bytes = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    let write: InputWrite | undefined;
    try {
      write = this.toInput(topic, bytes);
    } catch (err) {
      return this.refuse(topic, bytes, err);
    }
    if (write === undefined) return true;
    try {
      const { kind, device, record, reason } = write;
      const topicOut = kind === 'desired' ? this.o.topics.desired : this.o.topics.commands;
      await this.o.producer.send(topicOut, device, record, {
        [ACTOR_HEADER]: this.o.actor,
        [REASON_HEADER]: reason,
      });
      this.o.metrics.requests.inc({ kind });
      this.log.debug('request written', { kind, device });
      return true;
    } catch (err) {
      this.log.error('writing a ThingsBoard request to Kafka failed; it stays unacknowledged', {
        topic,
        error: err,
      });
      return false;
    }
  }

  /** The input record a message asks for; undefined for the adapter's own echoes and no-op updates. */
  private toInput(topic: string, bytes: Buffer): InputWrite | undefined {
    const { limits, metrics } = this.o;
    if (topic === GATEWAY_TOPICS.attributes) {
      const inbound = parseAttributeMessage(bytes, limits);
      if (inbound.kind === 'own') {
        metrics.echoes.inc({ topic });
        return undefined;
      }
      const { device } = inbound.request;
      const record = desiredRecord(inbound.request, this.o.desiredAttributes, randomUUID());
      if (record === undefined) return undefined;
      return this.checked({ kind: 'desired', device, record, reason: 'ThingsBoard shared attributes' });
    }
    if (topic === GATEWAY_TOPICS.rpc) {
      const inbound = parseRpcMessage(bytes, limits);
      if (inbound.kind === 'own') {
        metrics.echoes.inc({ topic });
        return undefined;
      }
      const rpc = inbound.request;
      const record = commandRecord(rpc, this.o.rpcTtlSeconds, randomBytes(4).toString('hex'));
      return this.checked({
        kind: 'command',
        device: rpc.device,
        record,
        reason: `ThingsBoard RPC ${rpc.id}`,
      });
    }
    return undefined; // not subscribed
  }

  /** The processor's verdict on the record, before it is produced (throws what it would refuse). */
  private checked(write: InputWrite): InputWrite {
    decodeInput(write.kind, write.device, JSON.stringify(write.record), Date.now(), this.o.limits);
    return write;
  }

  private async refuse(topic: string, bytes: Buffer, error: unknown): Promise<boolean> {
    const err = toTwinfoldError(error);
    this.o.metrics.rejected.inc({ topic, code: err.code });
    this.log.warn('refused a message from ThingsBoard', { topic, code: err.code, reason: err.message });
    try {
      // Like the bridge: an oversized payload keeps its first MAX_PAYLOAD_BYTES bytes.
      const kept = bytes.subarray(0, this.o.limits.maxBytes);
      await this.o.deadLetters(deadLetter({ component: 'thingsboard', topic }, null, kept, err, Date.now()));
    } catch (dlqErr) {
      this.log.error('dead-lettering a ThingsBoard message failed', { topic, error: dlqErr });
    }
    return true;
  }
}
