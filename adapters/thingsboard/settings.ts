import { loadCommonConfig, type CommonConfig } from '../../shared/config';
import {
  ConfigError,
  integer,
  loadTogether,
  parseSettings,
  setting,
  url,
  type Parser,
  type SettingValues,
} from '../../shared/env-parsers';
import { DEVICE_ID_PATTERN } from '../../shared/ids';

/** A comma-separated list of twin field names (reported fields, shared attributes); empty: none. */
const fieldList: Parser<ReadonlySet<string>> = (raw) => {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.filter((n) => !/^[^\s,]{1,128}$/.test(n));
  if (bad.length > 0) throw new Error(`must be comma-separated field names, got ${JSON.stringify(bad[0])}`);
  return new Set(names);
};

/** `*` (every reported field not sent as an attribute) or a list of reported field names. */
const telemetryFields: Parser<ReadonlySet<string> | 'all'> = (raw) =>
  raw.trim() === '*' ? 'all' : fieldList(raw);

/** The MQTT user name ThingsBoard authenticates a gateway by: its access token. */
const accessToken: Parser<string> = (raw) => {
  if (raw === '')
    throw new Error('is required: the access token of a ThingsBoard device with "Is gateway" on');
  if (raw.length > 256 || /\s/.test(raw))
    throw new Error('must be a token without white space (at most 256 characters)');
  return raw;
};

/** A ThingsBoard device profile name: non-empty. */
const profileName: Parser<string> = (raw) => {
  if (raw.trim() === '' || raw.length > 255)
    throw new Error('must be a device profile name (1 to 255 characters)');
  return raw;
};

const clientId: Parser<string> = (raw) => {
  if (!DEVICE_ID_PATTERN.test(raw))
    throw new Error(`must match ${DEVICE_ID_PATTERN.source}, got ${JSON.stringify(raw)}`);
  return raw;
};

/** The Kafka header value naming who made a write (shared/inputs provenance: 1..256 printable). */
const actor: Parser<string> = (raw) => {
  if (!/^[\x20-\x7e]{1,256}$/.test(raw))
    throw new Error(`must be 1 to 256 printable ASCII characters, got ${JSON.stringify(raw)}`);
  return raw;
};

/**
 * Settings of the ThingsBoard adapter (TB_*), validated at start-up like every component's; it also
 * reads the common settings (Kafka, topic prefix, limits) and nothing of the service's or bridge's.
 */
export const THINGSBOARD_SCHEMA = {
  mqttUrl: setting(
    'TB_MQTT_URL',
    'mqtt://127.0.0.1:1883',
    "ThingsBoard's MQTT endpoint (mqtts:// for TLS)",
    url,
  ),
  gatewayToken: setting(
    'TB_GATEWAY_TOKEN',
    undefined,
    'Access token of the ThingsBoard gateway device (sent as the MQTT user name); required by the ThingsBoard adapter',
    accessToken,
  ),
  clientId: setting(
    'TB_CLIENT_ID',
    'twinfold-thingsboard',
    'MQTT client id of the gateway connection',
    clientId,
  ),
  telemetryFields: setting(
    'TB_TELEMETRY_FIELDS',
    '*',
    'Reported fields mirrored as ThingsBoard telemetry (with their per-field timestamps): * for every field not in TB_ATTRIBUTE_FIELDS, or a comma-separated list',
    telemetryFields,
  ),
  attributeFields: setting(
    'TB_ATTRIBUTE_FIELDS',
    '',
    "Reported fields mirrored as client-side attributes instead (e.g. firmware); the twin's registry attributes, connection status and lifecycle always are",
    fieldList,
  ),
  desiredAttributes: setting(
    'TB_DESIRED_ATTRIBUTES',
    '',
    'Shared attributes that become desired-state patches (comma-separated; empty: every shared attribute)',
    fieldList,
  ),
  deviceType: setting(
    'TB_DEVICE_TYPE',
    'default',
    'ThingsBoard device profile named in v1/gateway/connect for twins without a type',
    profileName,
  ),
  rpcTtlSeconds: setting(
    'TB_RPC_TTL_SECONDS',
    '60',
    'Time to live of the command an RPC becomes; the RPC is answered when the command is acknowledged, fails or expires',
    integer(1, 365 * 24 * 3600),
  ),
  actor: setting(
    'TB_ACTOR',
    'thingsboard',
    "twinfold.actor of the desired patches and commands the adapter produces (the twin's history shows it)",
    actor,
  ),
  concurrency: setting(
    'TB_PUBLISH_CONCURRENCY',
    '100',
    'Twin records mirrored at once, awaiting their PUBACK (per partition batch)',
    integer(1, 65535),
  ),
  httpPort: setting('TB_HTTP_PORT', '9466', "Port of the adapter's /metrics and /healthz", integer(0, 65535)),
} as const;

export type ThingsBoardConfig = SettingValues<typeof THINGSBOARD_SCHEMA>;

export function loadThingsBoardConfig(env: NodeJS.ProcessEnv = process.env): ThingsBoardConfig {
  const { values, problems } = parseSettings(THINGSBOARD_SCHEMA, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return values as ThingsBoardConfig;
}

/** The common settings and TB_*; one ConfigError names every invalid variable of both. */
export function loadThingsBoardSettings(env: NodeJS.ProcessEnv = process.env): {
  config: CommonConfig;
  tb: ThingsBoardConfig;
} {
  return loadTogether({ config: () => loadCommonConfig(env), tb: () => loadThingsBoardConfig(env) });
}
