import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { MqttClient } from 'mqtt';
import { isDeviceId } from '../../shared/ids';
import { isJsonObject, type JsonObject } from '../../shared/json';
import type { Logger } from '../../shared/logger';
import { parseJsonSafely, type JsonLimits } from '../../shared/safe-json';
import type { GatewayMessage } from './gateway-topics';
import type { ThingsBoardMetrics } from './metrics';
import { MirrorMemory } from './mirror-memory';
import { rpcReply } from './tb-requests-map';
import { connectMessage, mirrorTwin, type FieldMapping } from './twin-mirror-map';

export interface TwinMirrorOptions {
  /** A consumer of group `<TWINFOLD_APPLICATION_ID>-thingsboard`, not yet connected. */
  consumer: Consumer;
  /** The gateway's connected MQTT client. */
  client: MqttClient;
  twinsTopic: string;
  eventsTopic: string;
  mapping: FieldMapping;
  /** Records mirrored at once (their publishes await PUBACK together). */
  concurrency: number;
  metrics: ThingsBoardMetrics;
  logger: Logger;
}

/** Twin documents can be much larger than a device message (MAX_TWIN_BYTES is 512 KiB). */
const RECORD_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxKeys: 1_000_000 };

/**
 * Kafka → ThingsBoard: each device.twins record becomes gateway connect / telemetry / attributes
 * messages (twin-mirror-map.ts), each device.events `command.status` ending a command made from an
 * RPC becomes the RPC's reply. At least once: a record's offset is committed after ThingsBoard's
 * PUBACK for its messages and everything before it in its partition. device.twins is read from the
 * beginning by a new group (ThingsBoard gets the whole fleet), device.events from its end (old
 * RPCs are long answered or timed out).
 */
export class TwinMirror {
  private readonly log: Logger;
  private readonly memory = new MirrorMemory();
  private epoch = 0;

  constructor(private readonly o: TwinMirrorOptions) {
    this.log = o.logger.child('twin-mirror');
  }

  async start(): Promise<void> {
    const { consumer, client, twinsTopic, eventsTopic } = this.o;
    this.epoch = 1;
    client.on('connect', () => this.reconnected());
    await consumer.connect();
    await consumer.subscribe({ topics: [twinsTopic], fromBeginning: true });
    await consumer.subscribe({ topics: [eventsTopic], fromBeginning: false });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.mirrorBatch(payload),
    });
    this.log.info('mirroring twins into ThingsBoard');
  }

  async stop(): Promise<void> {
    await this.o.consumer.disconnect();
  }

  /** A new MQTT connection: ThingsBoard forgot which devices this gateway speaks for. */
  private reconnected(): void {
    this.epoch++;
    const epoch = this.epoch;
    for (const id of this.memory.ids()) {
      const device = this.memory.get(id)!;
      this.memory.set(id, { ...device, connectedEpoch: epoch });
      void this.publish([connectMessage(id, device.type)]).catch((err: unknown) =>
        this.log.warn('re-announcing a device failed', { id, error: err }),
      );
    }
  }

  private messagesOf(topic: string, m: KafkaMessage): GatewayMessage[] {
    const id = m.key?.toString('utf8');
    if (!isDeviceId(id)) return [];
    if (topic === this.o.twinsTopic) {
      const doc = m.value === null ? null : parseOrUndefined(m.value);
      if (doc === undefined) return [];
      const { messages, remember } = mirrorTwin(id, doc, this.o.mapping, this.memory.get(id), this.epoch);
      this.memory.set(id, remember);
      return messages;
    }
    const event = m.value === null ? undefined : parseOrUndefined(m.value);
    const reply = event && rpcReply(id, event);
    return reply ? [reply] : [];
  }

  /** Publishes in order (one connection keeps it) and resolves once every PUBACK is in. */
  private async publish(messages: GatewayMessage[]): Promise<void> {
    const { client, metrics } = this.o;
    await Promise.all(
      messages.map(async ({ topic, payload }) => {
        await client.publishAsync(topic, payload, { qos: 1 });
        metrics.published.inc({ topic });
      }),
    );
  }

  private async mirrorBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { concurrency } = this.o;
    for (let i = 0; i < batch.messages.length; i += concurrency) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + concurrency);
      try {
        await this.publish(chunk.flatMap((m) => this.messagesOf(batch.topic, m)));
      } catch (err) {
        this.memory.clear(); // the batch is read again: tell ThingsBoard everything again
        throw err;
      }
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }
}

function parseOrUndefined(value: Buffer): JsonObject | undefined {
  try {
    const parsed = parseJsonSafely(value, RECORD_LIMITS);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
