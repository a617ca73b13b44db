import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { MqttClient } from 'mqtt';
import type { Logger } from '../shared/logger';
import type { JsonLimits } from '../shared/safe-json';
import type { BridgeMetrics } from './metrics';
import type { TopicTemplate } from './topic-template';
import { eventOutput, updateOutput, type TwinOutput, type TwinOutputKind } from './twin-outputs-record';

export interface TwinOutputsOptions {
  /** A consumer of group `<applicationId>-bridge-twin-outputs`, not yet connected. */
  consumer: Consumer;
  /** A connected MQTT client of its own, so these never queue behind commands. */
  client: MqttClient;
  twinsTopic: string;
  eventsTopic: string;
  templates: Record<TwinOutputKind, TopicTemplate>;
  /** Publishes awaiting PUBACK at once. */
  concurrency: number;
  /**
   * Whether the device uplink has work in hand: the outputs then wait (up to MAX_DEFER_MS per
   * chunk) so devices' messages keep the bridge's event loop first.
   */
  uplinkBusy: () => boolean;
  metrics: BridgeMetrics;
  logger: Logger;
}

/** Longest an output chunk waits for a busy uplink: outputs slow down under load, never stop. */
const MAX_DEFER_MS = 1000;
const DEFER_STEP_MS = 5;

/** Twin documents can be much larger than a device message (MAX_TWIN_BYTES is 512 KiB). */
const RECORD_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxKeys: 1_000_000 };

/**
 * Kafka → MQTT for applications: `twin/{id}/update` from device.twins, `twin/{id}/event` and
 * `twin/{id}/alert` from device.events (twin-outputs-record.ts says which records), at QoS 1, not
 * retained. At least once: a record's offset is committed after the broker's PUBACK of it and of
 * everything before it in its partition. The device uplink comes first: while it has messages in
 * hand, each chunk of outputs waits (bounded), so these topics do not take uplink throughput down. A new bridge group starts at the end (these are live
 * notifications; the twin's history is in device.twins and device.events).
 */
export class TwinOutputs {
  private readonly log: Logger;

  constructor(private readonly o: TwinOutputsOptions) {
    this.log = o.logger.child('twin-outputs');
  }

  async start(): Promise<void> {
    const { consumer, twinsTopic, eventsTopic } = this.o;
    await consumer.connect();
    await consumer.subscribe({ topics: [twinsTopic, eventsTopic], fromBeginning: false });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.publishBatch(payload),
    });
    this.log.info('publishing twin updates, events and alerts');
  }

  async stop(): Promise<void> {
    await this.o.consumer.disconnect();
  }

  private output(topic: string, key: Buffer | null, value: Buffer | null): TwinOutput | undefined {
    const { templates, twinsTopic } = this.o;
    return topic === twinsTopic
      ? updateOutput(key, value, templates.update, RECORD_LIMITS)
      : eventOutput(key, value, templates, RECORD_LIMITS);
  }

  private async publishBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { client, concurrency, metrics } = this.o;
    for (let i = 0; i < batch.messages.length; i += concurrency) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + concurrency);
      for (let waited = 0; waited < MAX_DEFER_MS && this.o.uplinkBusy(); waited += DEFER_STEP_MS)
        await new Promise((resolve) => setTimeout(resolve, DEFER_STEP_MS));
      await Promise.all(
        chunk.map(async (m) => {
          const out = this.output(batch.topic, m.key, m.value);
          if (!out) return;
          await client.publishAsync(out.topic, out.payload, { qos: 1 });
          metrics.twinOutputs.inc({ kind: out.kind });
        }),
      );
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }
}
