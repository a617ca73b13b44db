import { readFileSync } from 'node:fs';
import { loadCommonConfig, type CommonConfig } from '../shared/config';
import {
  bool,
  ConfigError,
  integer,
  loadTogether,
  optionalText,
  parseSettings,
  setting,
  url,
  type Parser,
  type SettingValues,
} from '../shared/env-parsers';
import { compileTopicTemplate, type TopicTemplate } from './topic-template';

/** An MQTT client id: non-empty, printable, no wildcard or separator characters. */
const clientId: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(raw))
    throw new Error(`must match [A-Za-z0-9._:-]{1,128}, got ${JSON.stringify(raw)}`);
  return raw;
};

/** A shared-subscription group name (MQTT 5 §4.8.2: no `/`, `+` or `#`); empty disables sharing. */
const shareGroup: Parser<string | undefined> = (raw) => {
  if (raw === '') return undefined;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(raw))
    throw new Error(`must match [A-Za-z0-9._:-]{1,64}, got ${JSON.stringify(raw)}`);
  return raw;
};

/** A concrete topic to publish on: no wildcards, not a $-topic. */
const publishTopic: Parser<string> = (raw) => {
  if (raw === '' || /[+#]/.test(raw) || raw.includes('\u0000') || raw.startsWith('$')) {
    throw new Error(`must be a topic without wildcards, got ${JSON.stringify(raw)}`);
  }
  return raw;
};

/** A readable PEM file, read once at start-up; empty: none. */
const pemFile: Parser<Buffer | undefined> = (raw) => {
  if (raw === '') return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(raw);
  } catch (err) {
    throw new Error(`must name a readable file: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`must be a PEM certificate file: ${raw}`);
  return pem;
};

/** Comma-separated client ids; empty gives none. */
const clientIdList: Parser<ReadonlySet<string>> = (raw) =>
  new Set(
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => clientId(part)),
  );

const template: Parser<TopicTemplate> = (raw) => compileTopicTemplate(raw);

/**
 * Settings only the bridge reads (MQTT_* and BRIDGE_*), parsed once at start-up the same way as
 * shared/config.ts (with the parsers of shared/env-parsers.ts): every mistake is reported at once
 * in one ConfigError. The bridge reads the common settings too, and nothing of the service's.
 */
export const BRIDGE_CONFIG_SCHEMA = {
  mqttUrl: setting('MQTT_URL', 'mqtt://127.0.0.1:1883', 'MQTT broker URL (mqtts:// for TLS)', url),
  mqttUsername: setting('MQTT_USERNAME', '', 'MQTT user name', optionalText),
  mqttPassword: setting('MQTT_PASSWORD', '', 'MQTT password', optionalText),
  clientId: setting(
    'BRIDGE_CLIENT_ID',
    'twinfold-bridge',
    'MQTT client id of the uplink session (stable: the broker keeps its persistent session); the downlink connection adds "-downlink". Unique per bridge instance',
    clientId,
  ),
  sharedGroup: setting(
    'BRIDGE_SHARED_GROUP',
    '',
    'When set, subscribe through the MQTT 5 shared subscription $share/<group>/... so several bridges split the load (per-device order is then only kept within one bridge)',
    shareGroup,
  ),
  mqttCaFile: setting(
    'MQTT_CA_FILE',
    '',
    "PEM file of the CA certificate(s) that signed the MQTT broker's certificate, for mqtts:// (empty: the system's CAs)",
    pemFile,
  ),
  sessionExpirySeconds: setting(
    'BRIDGE_SESSION_EXPIRY_SECONDS',
    '86400',
    'How long the broker keeps the uplink session (and queues messages) while the bridge is away',
    integer(0, 0xffffffff),
  ),
  keepaliveSeconds: setting('BRIDGE_KEEPALIVE_SECONDS', '30', 'MQTT keepalive', integer(5, 65535)),
  maxInFlight: setting(
    'BRIDGE_MAX_IN_FLIGHT',
    '1000',
    'Uplink messages received but not yet written to Kafka and acknowledged; at the limit the bridge stops reading (also advertised as MQTT receive maximum)',
    integer(1, 65535),
  ),
  maxInFlightBytes: setting(
    'BRIDGE_MAX_IN_FLIGHT_BYTES',
    String(64 * 1024 * 1024),
    'The same limit in bytes of Kafka records held in memory',
    integer(1024),
  ),
  batchMaxMessages: setting(
    'BRIDGE_BATCH_MAX_MESSAGES',
    '500',
    'Most records in one Kafka produce request',
    integer(1, 100000),
  ),
  batchMaxBytes: setting(
    'BRIDGE_BATCH_MAX_BYTES',
    String(900 * 1024),
    "Most bytes in one Kafka produce request (keep below the topics' max.message.bytes: a partition's share of a request is one record batch)",
    integer(1024),
  ),
  lingerMs: setting(
    'BRIDGE_LINGER_MS',
    '5',
    'How long the first message of an idle bridge waits for others to share its produce request',
    integer(0, 10000),
  ),
  bridgeStatusTopic: setting(
    'BRIDGE_STATUS_TOPIC',
    'twinfold/bridge/status',
    'Retained online/offline status of the bridge itself (offline is its last will)',
    publishTopic,
  ),
  httpPort: setting('BRIDGE_HTTP_PORT', '9464', 'Port of /metrics and /healthz', integer(0, 65535)),
  shutdownTimeoutMs: setting(
    'BRIDGE_SHUTDOWN_TIMEOUT_MS',
    '10000',
    'On stop, longest wait for in-flight messages to be written and acknowledged',
    integer(0, 600000),
  ),
  downlinkConcurrency: setting(
    'BRIDGE_DOWNLINK_CONCURRENCY',
    '100',
    'Downlink publishes awaiting their PUBACK at once (per partition batch)',
    integer(1, 65535),
  ),
  telemetryTemplate: setting(
    'BRIDGE_TOPIC_TELEMETRY',
    'device/{id}/telemetry',
    'MQTT topic template of telemetry ({id} is one whole level)',
    template,
  ),
  stateTemplate: setting(
    'BRIDGE_TOPIC_STATE',
    'device/{id}/state',
    'MQTT topic template of reported state',
    template,
  ),
  statusTemplate: setting(
    'BRIDGE_TOPIC_STATUS',
    'device/{id}/status',
    'MQTT topic template of device status',
    template,
  ),
  ackTemplate: setting(
    'BRIDGE_TOPIC_ACK',
    'device/{id}/ack',
    'MQTT topic template of command acknowledgements',
    template,
  ),
  errorTemplate: setting(
    'BRIDGE_TOPIC_ERROR',
    'device/{id}/error',
    'MQTT topic template of device errors',
    template,
  ),
  commandTemplate: setting(
    'BRIDGE_TOPIC_COMMAND',
    'device/{id}/command',
    'MQTT topic template commands are published to',
    template,
  ),
  desiredTemplate: setting(
    'BRIDGE_TOPIC_DESIRED',
    'device/{id}/desired',
    'MQTT topic template desired state is published to',
    template,
  ),
  labelClientIds: setting(
    'LABEL_CLIENT_IDS',
    '',
    'Comma-separated MQTT client ids (simulators) whose ground-truth labels (MQTT 5 user property twinfold-label) the bridge carries through as twinfold.label; every other label is dropped. Empty: labelling off',
    clientIdList,
  ),
  twinOutputs: setting(
    'BRIDGE_TWIN_OUTPUTS',
    'true',
    'Publish twin/{id}/update (from device.twins), twin/{id}/event and twin/{id}/alert (from device.events) for applications',
    bool,
  ),
  twinUpdateTemplate: setting(
    'BRIDGE_TOPIC_TWIN_UPDATE',
    'twin/{id}/update',
    "MQTT topic template of a twin's changed fields",
    template,
  ),
  twinEventTemplate: setting(
    'BRIDGE_TOPIC_TWIN_EVENT',
    'twin/{id}/event',
    "MQTT topic template of a twin's lifecycle, connection, command and rule events",
    template,
  ),
  twinAlertTemplate: setting(
    'BRIDGE_TOPIC_TWIN_ALERT',
    'twin/{id}/alert',
    "MQTT topic template of a twin's alerts",
    template,
  ),
} as const;

export type BridgeConfig = SettingValues<typeof BRIDGE_CONFIG_SCHEMA>;

/** Parses the MQTT_* and BRIDGE_* environment; throws one ConfigError naming every invalid variable. */
export function loadBridgeConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const { values, problems } = parseSettings(BRIDGE_CONFIG_SCHEMA, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return values as BridgeConfig;
}

/**
 * Everything the bridge reads: the common settings and its own. One ConfigError names every
 * invalid variable of both; the service's settings are not read at all.
 */
export function loadBridgeSettings(env: NodeJS.ProcessEnv = process.env): {
  config: CommonConfig;
  bridge: BridgeConfig;
} {
  return loadTogether({ config: () => loadCommonConfig(env), bridge: () => loadBridgeConfig(env) });
}
