import type { Kafka, Producer } from 'kafkajs';
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import type { CommonConfig } from '../shared/config';
import { createKafka, waitForKafka } from '../shared/kafka';
import type { Logger } from '../shared/logger';
import type { JsonLimits } from '../shared/safe-json';
import { topicNames, type TopicNames } from '../shared/topics';
import type { BridgeConfig } from './bridge-config';
import { watchBrokerCounters } from './broker-counters';
import { watchBrokerLog } from './broker-log';
import { Downlink } from './downlink';
import { bridgeTopics, waitForTopics } from './kafka-topics';
import { createBridgeProducer, createKafkaWriter, type KafkaRecord } from './kafka-writer';
import { assertTransition, type BridgeState } from './lifecycle';
import { announceOffline, announceOnline } from './liveness';
import { createBridgeMetrics, type BridgeMetrics } from './metrics';
import { connectClient, endClient, observeConnection } from './mqtt-connect';
import { downlinkMqttOptions, twinOutputsMqttOptions, uplinkMqttOptions } from './mqtt-options';
import { TwinOutputs } from './twin-outputs';
import { Uplink } from './uplink';
import { uplinkRoutes } from './uplink-record';

export interface BridgeOptions {
  config: CommonConfig;
  bridge: BridgeConfig;
  logger: Logger;
  /** Where the bridge registers its metrics; the caller exposes it. */
  registry: Registry;
  /** How long start() waits for each MQTT connection. Default 30 s. */
  connectTimeoutMs?: number;
  /**
   * Called once when a part of the running bridge gave up for good (the downlink consumer crashed
   * and kafkajs will not restart it); main.ts stops the bridge and exits 1 so it is restarted.
   */
  onFailure?: (reason: string) => void;
}

export interface BridgeHealth {
  state: BridgeState;
  /** Liveness: starting or running, and the downlink consumer has not given up. */
  healthy: boolean;
  /** Readiness: running (connected, subscribed, consuming). */
  ready: boolean;
  uplinkConnected: boolean;
  downlinkConnected: boolean;
  downlinkFailed: boolean;
  inFlight: number;
}

/**
 * The MQTT ⇄ Kafka bridge: uplink (device topics → device.telemetry/state/status/acks/errors),
 * downlink (device.downlink → device command/desired topics) and its own retained status.
 * Owns its Kafka producer and consumer and its two MQTT connections; stop() releases all of them.
 * The Kafka topics must exist (the bridge never creates topics).
 */
export class Bridge {
  private state: BridgeState = 'created';
  private readonly log: Logger;
  private readonly metrics: BridgeMetrics;
  private readonly names: TopicNames;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private uplinkClient: MqttClient | undefined;
  private downlinkClient: MqttClient | undefined;
  private uplink: Uplink | undefined;
  private downlink: Downlink | undefined;
  private twinClient: MqttClient | undefined;
  private twinOutputs: TwinOutputs | undefined;
  private stopAnnouncing: (() => void) | undefined;
  private stopWatchingBroker: (() => void) | undefined;
  private downlinkFailed = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;

  constructor(private readonly options: BridgeOptions) {
    this.log = options.logger.child('bridge');
    this.metrics = createBridgeMetrics(options.registry);
    this.names = topicNames(options.config);
    this.kafka = createKafka(options.config, options.bridge.clientId, options.logger);
  }

  /**
   * Connects to Kafka and the MQTT broker, subscribes and starts consuming device.downlink. Waits
   * for Kafka to answer and for the Kafka topics to exist. Rejects (after releasing whatever it had
   * opened) when a connection cannot be made after that; resolves without running when stop() was
   * called meanwhile.
   */
  async start(): Promise<void> {
    this.transition('starting');
    this.starting = this.startComponents();
    try {
      await this.starting;
    } catch (err) {
      const cancelled = this.stopRequested; // stop() during start: not a failure
      if (!cancelled) this.log.error('bridge failed to start', { error: err });
      await this.stop();
      if (cancelled) return;
      throw err;
    }
    if (this.stopRequested) return; // stop() shuts down what was started
    this.transition('running');
    this.log.info('bridge running', {
      clientId: this.options.bridge.clientId,
      filters: this.uplink?.filters(),
    });
  }

  /**
   * Graceful stop: stop reading MQTT and consuming Kafka, write and acknowledge what is in flight
   * (at most BRIDGE_SHUTDOWN_TIMEOUT_MS), announce `offline`, disconnect. Called while starting,
   * it cancels the wait for topics, lets the start settle, then stops. Idempotent.
   */
  stop(): Promise<void> {
    if (this.state === 'created') {
      this.transition('stopped');
      return Promise.resolve();
    }
    this.stopRequested = true;
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.shutdown();
    })();
    return this.stopping;
  }

  health(): BridgeHealth {
    const uplinkConnected = this.uplinkClient?.connected ?? false;
    const downlinkConnected = this.downlinkClient?.connected ?? false;
    return {
      state: this.state,
      healthy: (this.state === 'starting' || this.state === 'running') && !this.downlinkFailed,
      ready: this.state === 'running',
      uplinkConnected,
      downlinkConnected,
      downlinkFailed: this.downlinkFailed,
      inFlight: this.uplink?.inFlight ?? 0,
    };
  }

  private transition(to: BridgeState): void {
    assertTransition(this.state, to);
    this.state = to;
  }

  private limits(): JsonLimits {
    const { maxPayloadBytes, maxJsonDepth, maxJsonKeys } = this.options.config;
    return { maxBytes: maxPayloadBytes, maxDepth: maxJsonDepth, maxKeys: maxJsonKeys };
  }

  private mqttClient(options: IClientOptions): MqttClient {
    return mqttConnect(this.options.bridge.mqttUrl, { ...options, manualConnect: true });
  }

  private async startComponents(): Promise<void> {
    const { config, bridge, logger } = this.options;
    const connectTimeout = this.options.connectTimeoutMs ?? 30_000;

    await waitForKafka(this.kafka, this.log, () => this.stopRequested);
    const producer = createBridgeProducer(this.kafka);
    this.producer = producer;
    await producer.connect();
    await this.waitForTopics();

    const uplinkClient = this.mqttClient(uplinkMqttOptions(bridge));
    this.uplinkClient = uplinkClient;
    observeConnection(uplinkClient, 'uplink', logger, this.metrics);
    this.uplink = new Uplink({
      client: uplinkClient,
      routes: uplinkRoutes(
        {
          telemetry: bridge.telemetryTemplate,
          state: bridge.stateTemplate,
          status: bridge.statusTemplate,
          ack: bridge.ackTemplate,
          error: bridge.errorTemplate,
        },
        this.names,
      ),
      dlqTopic: this.names.dlq,
      limits: this.limits(),
      write: createKafkaWriter((batch) => producer.sendBatch(batch), this.metrics),
      settings: bridge,
      metrics: this.metrics,
      logger,
    });
    this.stopAnnouncing = announceOnline(uplinkClient, bridge.bridgeStatusTopic, this.log);
    await connectClient(uplinkClient, connectTimeout);
    await this.uplink.subscribe();

    const downlinkClient = this.mqttClient(downlinkMqttOptions(bridge));
    this.downlinkClient = downlinkClient;
    observeConnection(downlinkClient, 'downlink', logger, this.metrics);
    await connectClient(downlinkClient, connectTimeout);
    // The downlink connection only publishes, so the broker's counters arrive on it alone.
    const stopCounters = watchBrokerCounters(downlinkClient, this.metrics, logger);
    const stopLog = watchBrokerLog(downlinkClient, this.metrics, logger);
    this.stopWatchingBroker = () => {
      stopCounters();
      stopLog();
    };
    const consumer = this.kafka.consumer({
      groupId: `${config.applicationId}-bridge-downlink`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      // A restarted bridge joins the group before it reports ready; a member that died without
      // leaving holds that join up for its session timeout (kafkajs's default is 30 s). Deliveries
      // heartbeat every second meanwhile (downlink.ts), as the processor's consumer does.
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.error('downlink consumer crashed', { error: payload.error, restart: payload.restart });
      if (payload.restart || this.downlinkFailed) return;
      this.downlinkFailed = true;
      this.options.onFailure?.(`downlink consumer gave up: ${payload.error.message}`);
    });
    this.downlink = new Downlink({
      consumer,
      client: downlinkClient,
      downlinkTopic: this.names.downlink,
      dlqTopic: this.names.dlq,
      templates: { command: bridge.commandTemplate, desired: bridge.desiredTemplate },
      limits: this.limits(),
      sendDeadLetter: (record) => this.sendDeadLetter(producer, record),
      concurrency: bridge.downlinkConcurrency,
      metrics: this.metrics,
      logger,
    });
    await this.downlink.start();
    if (bridge.twinOutputs) await this.startTwinOutputs(connectTimeout);
  }

  /** twin/{id}/update|event|alert on a connection of their own (twin-outputs.ts). */
  private async startTwinOutputs(connectTimeout: number): Promise<void> {
    const { config, bridge, logger } = this.options;
    const client = this.mqttClient(twinOutputsMqttOptions(bridge));
    this.twinClient = client;
    observeConnection(client, 'twin', logger, this.metrics);
    await connectClient(client, connectTimeout);
    const consumer = this.kafka.consumer({
      groupId: `${config.applicationId}-bridge-twin-outputs`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.log.error('twin outputs consumer crashed', { error: payload.error, restart: payload.restart }),
    );
    this.twinOutputs = new TwinOutputs({
      consumer,
      client,
      twinsTopic: this.names.twins,
      eventsTopic: this.names.events,
      templates: {
        update: bridge.twinUpdateTemplate,
        event: bridge.twinEventTemplate,
        alert: bridge.twinAlertTemplate,
      },
      concurrency: bridge.downlinkConcurrency,
      uplinkBusy: () => (this.uplink?.inFlight ?? 0) > 0,
      metrics: this.metrics,
      logger,
    });
    await this.twinOutputs.start();
  }

  private async waitForTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await waitForTopics(
        () => admin.listTopics(),
        bridgeTopics(this.names, this.options.bridge.twinOutputs),
        this.log,
        () => this.stopRequested,
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async sendDeadLetter(producer: Producer, record: KafkaRecord): Promise<void> {
    await producer.send({ topic: record.topic, messages: [record.message], acks: -1 });
    this.metrics.messagesProduced.inc({ topic: record.topic });
  }

  private async shutdown(): Promise<void> {
    this.transition('stopping');
    const { bridge } = this.options;
    this.uplink?.stopReading();
    await this.step('stop downlink consumer', () => this.downlink?.stop());
    await this.step('stop twin outputs', () => this.twinOutputs?.stop());
    await this.step('drain uplink', () => this.uplink?.drain(bridge.shutdownTimeoutMs));
    this.stopAnnouncing?.();
    this.stopWatchingBroker?.();
    const uplinkClient = this.uplinkClient;
    if (uplinkClient)
      await this.step('announce offline', () =>
        announceOffline(uplinkClient, bridge.bridgeStatusTopic, 2000),
      );
    await this.step('disconnect MQTT', () =>
      Promise.all([endClient(this.uplinkClient), endClient(this.downlinkClient), endClient(this.twinClient)]),
    );
    await this.step('disconnect producer', () => this.producer?.disconnect());
    this.transition('stopped');
    this.log.info('bridge stopped');
  }

  /** Runs one shutdown step; a failure is logged and does not keep the others from running. */
  private async step(what: string, fn: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.warn(`shutdown: could not ${what}`, { error: err });
    }
  }
}
