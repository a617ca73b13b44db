import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The bridge's Prometheus metrics, registered in the registry the caller owns. */
export interface BridgeMetrics {
  /** Uplink messages received, by MQTT topic kind (`unknown` when the topic matched no template). */
  messagesIn: Counter<'kind'>;
  /** Records written to Kafka, by Kafka topic (dead letters included, under the DLQ topic). */
  messagesProduced: Counter<'topic'>;
  /** Duration of one produce request (one batch), acknowledged by all in-sync replicas. */
  produceLatency: Histogram<never>;
  /** Failed produce attempts (each is retried). */
  produceErrors: Counter<never>;
  /** Records sent to the dead-letter topic, by error code. */
  deadLetters: Counter<'code'>;
  /** Uplink messages received and not yet written to Kafka and acknowledged. */
  inFlight: Gauge<never>;
  /** MQTT reconnections, by connection (`uplink`, `downlink`). */
  reconnects: Counter<'connection'>;
  /** Downlink messages the broker acknowledged (PUBACK), by kind (`command`, `desired`). */
  downlinkDelivered: Counter<'kind'>;
  /** The MQTT broker's own count of messages it dropped since it started ($SYS). */
  brokerDroppedMessages: Gauge<never>;
  /** Messages the MQTT broker holds (queued, in flight, retained), from $SYS. */
  brokerStoredMessages: Gauge<never>;
  /** Their bytes, from $SYS. */
  brokerStoredBytes: Gauge<never>;
  /** twin/{id}/update|event|alert messages the broker acknowledged, by kind. */
  twinOutputs: Counter<'kind'>;
  /** Ground-truth labels dropped: labelling off, or a client id not in LABEL_CLIENT_IDS. */
  labelsDropped: Counter<never>;
  /** Connections the MQTT broker refused (its log on $SYS/broker/log/N, when it publishes it). */
  brokerRefusedConnections: Counter<never>;
}

export function createBridgeMetrics(registry: Registry): BridgeMetrics {
  const registers = [registry];
  return {
    labelsDropped: new Counter({
      name: 'twinfold_bridge_labels_dropped_total',
      help: 'Ground-truth labels dropped (labelling off, or not from a LABEL_CLIENT_IDS client id)',
      registers,
    }),
    brokerRefusedConnections: new Counter({
      name: 'twinfold_bridge_mqtt_broker_refused_connections_total',
      help: "Connections the MQTT broker refused, from its log on $SYS/broker/log/N (Mosquitto's log_dest topic)",
      registers,
    }),
    messagesIn: new Counter({
      name: 'twinfold_bridge_messages_in_total',
      help: 'Uplink MQTT messages received, by topic kind',
      labelNames: ['kind'],
      registers,
    }),
    messagesProduced: new Counter({
      name: 'twinfold_bridge_messages_produced_total',
      help: 'Records written to Kafka, by topic',
      labelNames: ['topic'],
      registers,
    }),
    produceLatency: new Histogram({
      name: 'twinfold_bridge_produce_latency_seconds',
      help: 'Time to write one batch to Kafka (acks=all)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    produceErrors: new Counter({
      name: 'twinfold_bridge_produce_errors_total',
      help: 'Failed attempts to write a batch to Kafka (retried)',
      registers,
    }),
    deadLetters: new Counter({
      name: 'twinfold_bridge_dlq_total',
      help: 'Messages sent to the dead-letter topic, by error code',
      labelNames: ['code'],
      registers,
    }),
    inFlight: new Gauge({
      name: 'twinfold_bridge_in_flight',
      help: 'Uplink messages received but not yet written to Kafka and acknowledged',
      registers,
    }),
    reconnects: new Counter({
      name: 'twinfold_bridge_reconnects_total',
      help: 'MQTT reconnections, by connection',
      labelNames: ['connection'],
      registers,
    }),
    downlinkDelivered: new Counter({
      name: 'twinfold_bridge_downlink_delivered_total',
      help: 'Downlink messages acknowledged by the MQTT broker, by kind',
      labelNames: ['kind'],
      registers,
    }),
    brokerDroppedMessages: new Gauge({
      name: 'twinfold_bridge_mqtt_broker_dropped_messages',
      help: 'Messages the MQTT broker dropped since it started ($SYS/broker/publish/messages/dropped); any increase is a loss',
      registers,
    }),
    brokerStoredMessages: new Gauge({
      name: 'twinfold_bridge_mqtt_broker_stored_messages',
      help: 'Messages the MQTT broker holds: queued, in flight and retained ($SYS/broker/store/messages/count)',
      registers,
    }),
    brokerStoredBytes: new Gauge({
      name: 'twinfold_bridge_mqtt_broker_stored_bytes',
      help: 'Bytes of the messages the MQTT broker holds ($SYS/broker/store/messages/bytes)',
      registers,
    }),
    twinOutputs: new Counter({
      name: 'twinfold_bridge_twin_outputs_total',
      help: 'twin/{id}/update, event and alert messages acknowledged by the MQTT broker, by kind',
      labelNames: ['kind'],
      registers,
    }),
  };
}
