import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import { waitForTopics } from '../../bridge/kafka-topics';
import type { KafkaRecord } from '../../bridge/kafka-writer';
import type { CommonConfig } from '../../shared/config';
import { deadLetter } from '../../shared/dead-letter';
import { toTwinfoldError } from '../../shared/errors';
import type { DecodeLimits } from '../../shared/inputs';
import { createKafka, waitForKafka } from '../../shared/kafka';
import type { Logger } from '../../shared/logger';
import { topicNames, type TopicNames } from '../../shared/topics';
import { mapCommand } from './command-map';
import { headerTexts } from './headers';
import { honoTopic, uplinkTopics, type HonoSource } from './hono-topics';
import { createHonoMetrics, type HonoMetrics } from './metrics';
import { TransactionalPipe } from './pipe';
import { mapResponse } from './response-map';
import { adapterIdOf, type HonoConfig } from './settings';
import { OfflineTimers } from './ttd-timers';
import { mapUplink, statusRecord, type UplinkContext } from './uplink-map';

export interface HonoAdapterOptions {
  config: CommonConfig;
  hono: HonoConfig;
  logger: Logger;
  registry: Registry;
  /** A part gave up for good: the caller stops the adapter and exits 1. */
  onFailure: (reason: string) => void;
}

/**
 * Eclipse Hono ⇄ twinfold over Kafka. Uplink: Hono's telemetry, event and command_response topics
 * of the tenants → device.telemetry / state / status / acks (or device.dlq), exactly once. Downlink:
 * device.downlink commands of the tenants' twins → hono.command.<tenant>, exactly once.
 */
export class HonoAdapter {
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private readonly names: TopicNames;
  private readonly sources: Map<string, HonoSource>;
  private readonly metrics: HonoMetrics;
  private readonly limits: DecodeLimits;
  private readonly timers: OfflineTimers;
  private readonly pipes: TransactionalPipe[] = [];
  private readonly joined = new Set<string>();
  private stopping = false;

  constructor(private readonly options: HonoAdapterOptions) {
    const { config, hono, logger, registry } = options;
    this.log = logger.child('hono-adapter');
    this.kafka = createKafka(config, `${adapterIdOf(config, hono)}`, logger);
    this.names = topicNames(config);
    this.sources = uplinkTopics(hono.topicPrefix, hono.tenants, hono.commands);
    this.metrics = createHonoMetrics(registry);
    this.limits = {
      maxBytes: config.maxPayloadBytes,
      maxDepth: config.maxJsonDepth,
      maxKeys: config.maxJsonKeys,
      maxClockSkewMs: config.maxClockSkewMs,
    };
    this.timers = new OfflineTimers(
      (twinId) => this.closeWindow(twinId),
      (size) => this.metrics.offlineTimers.set(size),
    );
  }

  private context(): UplinkContext {
    return {
      names: this.names,
      eventInput: this.options.hono.eventInput,
      jsonTypes: this.options.hono.jsonTypes,
      limits: this.limits,
      nowMs: Date.now(),
    };
  }

  /** Hono's topics the adapter reads or writes (Hono creates them). */
  private honoTopics(): string[] {
    const { hono } = this.options;
    const commands = hono.commands ? hono.tenants.map((t) => honoTopic(hono.topicPrefix, 'command', t)) : [];
    return [...this.sources.keys(), ...commands];
  }

  /** Every topic the adapter reads or writes; it creates none of them (Hono and the processor do). */
  topics(): string[] {
    const { names } = this;
    const twinfold = [names.telemetry, names.state, names.status, names.acks, names.dlq];
    return [...this.honoTopics(), ...twinfold, ...(this.options.hono.commands ? [names.downlink] : [])];
  }

  async start(): Promise<void> {
    const { config, hono } = this.options;
    await waitForKafka(this.kafka, this.log, () => this.stopping);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const honoMissing = this.honoTopics().filter((t) => !existing.has(t));
      if (honoMissing.length > 0)
        this.log.warn(
          "waiting for Hono's topics: Hono creates them (create them for a tenant without traffic yet)",
          {
            missing: honoMissing,
          },
        );
      await waitForTopics(
        () => admin.listTopics(),
        this.topics(),
        this.log,
        () => this.stopping,
      );
    } finally {
      await admin.disconnect();
    }
    const id = adapterIdOf(config, hono);
    const common = { kafka: this.kafka, logger: this.log, onFailure: this.options.onFailure };
    const uplink = new TransactionalPipe({
      ...common,
      id: `${id}-uplink`,
      topics: [...this.sources.keys()],
      // Hono's retention bounds what a new adapter reads; readings fold by their own time.
      fromBeginning: true,
      map: (topic, partition, m) => this.mapUplinkRecord(topic, partition, m),
      onJoin: () => this.joined.add('uplink'),
    });
    this.pipes.push(uplink);
    if (hono.commands) {
      const tenants = new Set(hono.tenants);
      this.pipes.push(
        new TransactionalPipe({
          ...common,
          id: `${id}-downlink`,
          topics: [this.names.downlink],
          // A new adapter does not send commands queued before it existed (they expire).
          fromBeginning: false,
          map: (_topic, _partition, m) => {
            const record = mapCommand(m.key, m.value, hono.topicPrefix, tenants, this.limits);
            this.metrics.records.inc({ channel: 'command', outcome: record ? 'forwarded' : 'skipped' });
            return record ? [record] : [];
          },
          onJoin: () => this.joined.add('downlink'),
        }),
      );
    }
    for (const pipe of this.pipes) await pipe.start();
    this.log.info('hono adapter running', { tenants: hono.tenants, commands: hono.commands });
  }

  private mapUplinkRecord(topic: string, partition: number, m: KafkaMessage): KafkaRecord[] {
    const source = this.sources.get(topic);
    if (source === undefined) return [];
    try {
      const ctx = this.context();
      let records: KafkaRecord[];
      if (source.channel === 'command_response') records = [mapResponse(source.tenant, m, ctx)];
      else {
        const outcome = mapUplink(source, m, ctx);
        if (outcome.timer) this.timers.apply(outcome.timer);
        records = outcome.records;
      }
      this.metrics.records.inc({
        channel: source.channel,
        outcome: records.length > 0 ? 'forwarded' : 'skipped',
      });
      return records;
    } catch (error) {
      const err = toTwinfoldError(error);
      this.metrics.records.inc({ channel: source.channel, outcome: 'dead_lettered' });
      this.metrics.deadLetters.inc({ code: err.code });
      this.log.warn('dead-lettering Hono record', {
        topic,
        partition,
        offset: m.offset,
        code: err.code,
        reason: err.message,
      });
      const letter = deadLetter(
        { component: 'hono-adapter', topic, partition, offset: m.offset },
        m.key,
        m.value,
        err,
        Date.now(),
      );
      // Hono's own headers ride along, so the dead letter can be replayed as it came.
      return [
        {
          topic: this.names.dlq,
          message: { ...letter, headers: { ...headerTexts(m.headers), ...letter.headers } },
        },
      ];
    }
  }

  /** A ttd window closed: the device no longer takes commands. */
  private closeWindow(twinId: string): void {
    const uplink = this.pipes[0];
    if (uplink === undefined || this.stopping) return;
    uplink.send([statusRecord(this.context(), twinId, 'offline', {})]).catch((err: unknown) => {
      this.log.warn('could not write offline at the end of a ttd window', { twinId, error: err });
    });
  }

  health(): { healthy: boolean; ready: boolean } {
    const wanted = this.options.hono.commands ? 2 : 1;
    return { healthy: true, ready: !this.stopping && this.joined.size >= wanted };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timers.clear();
    for (const pipe of this.pipes) await pipe.stop();
  }
}
