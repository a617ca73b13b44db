import { testEnv } from './env';

/** A bridge of one test: its own Kafka topic prefix, MQTT topic root, client id and status topic. */
export interface BridgeTestSetup {
  /** MQTT topic root standing in for `device`, unique to the test. */
  root: string;
  statusTopic: string;
  clientId: string;
  /** The environment of the bridge (in-process via loadCommonConfig/loadBridgeConfig, or dist/bridge/main.js). */
  env: Record<string, string>;
}

/**
 * The settings of a bridge whose topics no other test sees: Kafka topics under `prefix`, MQTT
 * topics under `<prefix>/device/...`. Brokers default to the test run's; `kafkaBrokers`/`mqttUrl`
 * point it elsewhere (a broker of the test's own, or a tap in front of Mosquitto).
 */
export function bridgeTestSetup(
  prefix: string,
  brokers: { kafkaBrokers?: string[]; mqttUrl?: string } = {},
): BridgeTestSetup {
  const base = prefix.replace(/\.$/, '');
  const root = `${base}/device`;
  const statusTopic = `${base}/bridge/status`;
  const clientId = `${base}-bridge`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: (brokers.kafkaBrokers ?? testEnv().kafkaBrokers).join(','),
    MQTT_URL: brokers.mqttUrl ?? testEnv().mqttUrl,
    TOPIC_PREFIX: prefix,
    TWINFOLD_APPLICATION_ID: `${prefix}app`,
    LOG_LEVEL: process.env.BRIDGE_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn',
    BRIDGE_CLIENT_ID: clientId,
    BRIDGE_STATUS_TOPIC: statusTopic,
    BRIDGE_SHUTDOWN_TIMEOUT_MS: '2000',
  };
  for (const kind of ['telemetry', 'state', 'status', 'ack', 'error', 'command', 'desired']) {
    env[`BRIDGE_TOPIC_${kind.toUpperCase()}`] = `${root}/{id}/${kind}`;
  }
  return { root, statusTopic, clientId, env };
}
