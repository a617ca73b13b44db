import type { Kafka, Producer } from 'kafkajs';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import { KafkaInputProducer } from '../../api/input-producer';
import { waitForTopics } from '../../bridge/kafka-topics';
import { connectClient, endClient } from '../../bridge/mqtt-connect';
import type { CommonConfig } from '../../shared/config';
import { createKafka, waitForKafka } from '../../shared/kafka';
import type { Logger } from '../../shared/logger';
import { topicNames } from '../../shared/topics';
import { createThingsBoardMetrics, type ThingsBoardMetrics } from './metrics';
import type { ThingsBoardConfig } from './settings';
import { TbRequests } from './tb-requests';
import { TwinMirror } from './twin-mirror';

export interface ThingsBoardAdapterOptions {
  config: CommonConfig;
  tb: ThingsBoardConfig;
  logger: Logger;
  registry: Registry;
  /** Called once when the Kafka consumer gave up for good (main.ts then exits 1 to be restarted). */
  onFailure?: (reason: string) => void;
}

/**
 * The ThingsBoard connector: one MQTT connection to ThingsBoard's gateway API (the gateway
 * device's access token as user name), a consumer of device.twins and device.events (group
 * `<TWINFOLD_APPLICATION_ID>-thingsboard`) mirroring twins out (twin-mirror.ts), and ThingsBoard's
 * shared-attribute updates and RPCs in (tb-requests.ts).
 */
export class ThingsBoardAdapter {
  private readonly log: Logger;
  private readonly metrics: ThingsBoardMetrics;
  private readonly kafka: Kafka;
  private client: MqttClient | undefined;
  private inputProducer: KafkaInputProducer | undefined;
  private dlqProducer: Producer | undefined;
  private mirror: TwinMirror | undefined;
  private running = false;
  private stopped = false;
  private failed = false;

  constructor(private readonly o: ThingsBoardAdapterOptions) {
    this.log = o.logger.child('thingsboard');
    this.metrics = createThingsBoardMetrics(o.registry);
    this.kafka = createKafka(o.config, o.tb.clientId, o.logger);
  }

  health(): { healthy: boolean; ready: boolean; connected: boolean } {
    return { healthy: !this.failed, ready: this.running, connected: this.client?.connected ?? false };
  }

  async start(): Promise<void> {
    const { config, tb, logger } = this.o;
    const names = topicNames(config);
    await waitForKafka(this.kafka, this.log, () => this.stopped);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const needed = [names.twins, names.events, names.desired, names.commands, names.dlq];
      await waitForTopics(
        () => admin.listTopics(),
        needed,
        this.log,
        () => this.stopped,
      );
    } finally {
      await admin.disconnect();
    }
    this.inputProducer = new KafkaInputProducer(this.kafka);
    await this.inputProducer.connect();
    const dlq = this.kafka.producer({ idempotent: true });
    this.dlqProducer = dlq;
    await dlq.connect();

    const client = mqttConnect(tb.mqttUrl, {
      manualConnect: true,
      protocolVersion: 4, // MQTT 3.1.1, as ThingsBoard's gateway API documents it
      clientId: tb.clientId,
      username: tb.gatewayToken,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 1000,
    });
    this.client = client;
    client.on('reconnect', () => {
      this.metrics.reconnects.inc();
      this.log.info('reconnecting to ThingsBoard');
    });
    client.on('offline', () => this.log.warn('disconnected from ThingsBoard'));
    client.on('error', (err) => this.log.warn('MQTT error', { error: err }));
    const requests = new TbRequests({
      client,
      producer: this.inputProducer,
      deadLetters: async (message) => {
        await dlq.send({ topic: names.dlq, acks: -1, messages: [message] });
      },
      topics: { desired: names.desired, commands: names.commands },
      desiredAttributes: tb.desiredAttributes,
      rpcTtlSeconds: tb.rpcTtlSeconds,
      actor: tb.actor,
      limits: {
        maxBytes: config.maxPayloadBytes,
        maxDepth: config.maxJsonDepth,
        maxKeys: config.maxJsonKeys,
        maxClockSkewMs: config.maxClockSkewMs,
      },
      metrics: this.metrics,
      logger,
    });
    // The subscription is a clean session's: made again on every connection.
    client.on('connect', () => {
      requests.subscribe().catch((err: unknown) => this.log.warn('subscribing failed', { error: err }));
    });
    await connectClient(client, 30_000);
    await requests.subscribe(); // also here: running means subscribed

    const consumer = this.kafka.consumer({
      groupId: `${config.applicationId}-thingsboard`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.error('consumer crashed', { error: payload.error, restart: payload.restart });
      if (payload.restart || this.failed) return;
      this.failed = true;
      this.o.onFailure?.(`consumer gave up: ${payload.error.message}`);
    });
    this.mirror = new TwinMirror({
      consumer,
      client,
      twinsTopic: names.twins,
      eventsTopic: names.events,
      mapping: {
        telemetryFields: tb.telemetryFields,
        attributeFields: tb.attributeFields,
        deviceType: tb.deviceType,
      },
      concurrency: tb.concurrency,
      metrics: this.metrics,
      logger,
    });
    await this.mirror.start();
    this.running = true;
    this.log.info('thingsboard adapter running', { mqttUrl: tb.mqttUrl, clientId: tb.clientId });
  }

  /** Stops consuming, then disconnects from ThingsBoard and Kafka. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    await this.mirror?.stop().catch((err: unknown) => this.log.warn('consumer stop failed', { error: err }));
    await endClient(this.client);
    await this.inputProducer?.disconnect().catch(() => undefined);
    await this.dlqProducer?.disconnect().catch(() => undefined);
  }
}
