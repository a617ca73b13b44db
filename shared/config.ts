import {
  AUTH_MODES,
  JWT_ALGORITHMS,
  jwtSettingProblems,
  parseClaimPath,
  parseJwtSecret,
  parseJwksUrl,
  parseJwtPublicKey,
  parseStaticTokens,
  type AuthSettings,
} from './auth-config';
import {
  bool,
  ConfigError,
  duration,
  hostPortList,
  integer,
  keyValueList,
  oneOf,
  optional,
  optionalText,
  parseSettings,
  setting,
  text,
  url,
  type Parser,
  type SettingValues,
} from './env-parsers';
import { isLogLevel, type LogLevel } from './logger';

// Callers catch it from here as they always have.
export { ConfigError } from './env-parsers';

const logLevel: Parser<LogLevel> = (raw) => {
  if (isLogLevel(raw)) return raw;
  throw new Error(`must be debug, info, warn or error, got ${JSON.stringify(raw)}`);
};

/**
 * The settings every component reads (Kafka connection, topic names, log level, input limits),
 * from environment variables, once at start-up. Each component validates only these plus its own:
 * the service (processor and API) `SERVICE_SCHEMA` below, the bridge its BRIDGE_* and MQTT_*
 * settings (bridge/bridge-config.ts), so a mistake in one component's settings never stops
 * another. Every mistake gets its own line in one ConfigError, so an operator fixes them all in one
 * go. The schemas also feed the README's configuration table (scripts/config-table.ts).
 */
export const COMMON_SCHEMA = {
  applicationId: setting(
    'TWINFOLD_APPLICATION_ID',
    'twinfold',
    'Consumer group id and prefix of internal topics and transactional ids',
    text,
  ),
  logLevel: setting('LOG_LEVEL', 'info', 'debug, info, warn or error', logLevel),
  kafkaBrokers: setting('KAFKA_BROKERS', '127.0.0.1:9092', 'Comma-separated bootstrap brokers', hostPortList),
  kafkaSsl: setting('KAFKA_SSL', 'false', 'Connect to Kafka over TLS', bool),
  kafkaSaslMechanism: setting(
    'KAFKA_SASL_MECHANISM',
    '',
    'plain, scram-sha-256 or scram-sha-512 (empty: no SASL)',
    optional(oneOf('plain', 'scram-sha-256', 'scram-sha-512')),
  ),
  kafkaSaslUsername: setting('KAFKA_SASL_USERNAME', '', 'SASL user name', optionalText),
  kafkaSaslPassword: setting('KAFKA_SASL_PASSWORD', '', 'SASL password', optionalText),
  topicPrefix: setting('TOPIC_PREFIX', '', 'Prefix for every topic name (e.g. "staging.")', text),
  maxPayloadBytes: setting(
    'MAX_PAYLOAD_BYTES',
    '262144',
    "Largest accepted message or request body (keep it below the broker's 1 MB record limit)",
    integer(64, 900 * 1024),
  ),
  maxJsonDepth: setting('MAX_JSON_DEPTH', '32', 'Deepest accepted JSON nesting', integer(2, 1000)),
  maxJsonKeys: setting('MAX_JSON_KEYS', '1000', 'Most keys accepted in one JSON payload', integer(1)),
  maxClockSkewMs: setting(
    'MAX_CLOCK_SKEW_MS',
    '300000',
    "How far a device's timestamp may run ahead of the broker's receive time; a later one (or one before 2000) is not trusted and the reading is folded at the receive time",
    integer(0, 86400000),
  ),
} as const;

/** Settings only the service (stream processor and query API, api/main.ts) reads. */
export const SERVICE_SCHEMA = {
  partitions: setting(
    'PARTITIONS',
    '8',
    'Partition count used when twinfold creates its topics',
    integer(1, 10000),
  ),
  replicationFactor: setting(
    'REPLICATION_FACTOR',
    '1',
    'Replication factor of topics twinfold creates',
    integer(1, 10),
  ),
  processingGuarantee: setting(
    'PROCESSING_GUARANTEE',
    'exactly_once',
    'exactly_once or at_least_once',
    oneOf('exactly_once', 'at_least_once'),
  ),
  stateDir: setting(
    'STATE_DIR',
    '.state',
    'Directory of the LevelDB twin stores (one sub-directory per partition)',
    text,
  ),
  cacheMaxEntries: setting(
    'CACHE_MAX_ENTRIES',
    '20000',
    'Twins kept decoded in memory per partition',
    integer(100),
  ),
  httpHost: setting('HTTP_HOST', '0.0.0.0', 'Interface the API listens on', text),
  httpPort: setting('HTTP_PORT', '8080', 'Port the API listens on', integer(0, 65535)),
  advertisedUrl: setting(
    'ADVERTISED_URL',
    '',
    'URL other instances use to reach this one (default http://127.0.0.1:HTTP_PORT)',
    optional(url),
  ),
  forwardTimeoutMs: setting(
    'FORWARD_TIMEOUT_MS',
    '5000',
    "Timeout of a request forwarded to the instance owning the twin's partition (and of each list fan-out call)",
    integer(100, 600000),
  ),
  ownershipRefreshMs: setting(
    'OWNERSHIP_REFRESH_MS',
    '3000',
    'How often the partition -> instance map is re-read from the consumer group (it is also re-read after every rebalance)',
    integer(100, 600000),
  ),
  writeOutcomeTimeoutMs: setting(
    'WRITE_OUTCOME_TIMEOUT_MS',
    '10000',
    "How long a desired-state patch waits for the processor's verdict (its version, or 412 for a stale If-Match) before 504",
    integer(100, 600000),
  ),
  offlineAfterMs: setting(
    'OFFLINE_AFTER_MS',
    '300000',
    'Silence after which an online twin becomes unknown',
    integer(1000),
  ),
  commandTtlMs: setting(
    'COMMAND_TTL_MS',
    '3600000',
    'Default time to live of a queued command',
    integer(1000),
  ),
  commandMaxRetries: setting(
    'COMMAND_MAX_RETRIES',
    '3',
    'Deliveries of a failed command before it stays FAILED',
    integer(0, 100),
  ),
  authMode: setting(
    'AUTH_MODE',
    'static',
    'static (bearer tokens of AUTH_TOKENS), jwt (AUTH_JWT_*) or none (no authentication: logged as a warning)',
    oneOf(...AUTH_MODES),
  ),
  authTokens: setting(
    'AUTH_TOKENS',
    '',
    'Static bearer tokens and their roles: token:role,... (roles viewer, operator, admin; tokens of 16+ characters)',
    parseStaticTokens,
  ),
  authJwtAlgorithm: setting(
    'AUTH_JWT_ALGORITHM',
    'RS256',
    'The one accepted JWT algorithm: RS256 or ES256 (AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL), or HS256 (AUTH_JWT_SECRET)',
    oneOf(...JWT_ALGORITHMS),
  ),
  authJwtSecret: setting('AUTH_JWT_SECRET', '', 'HS256 shared secret (32+ bytes)', parseJwtSecret),
  authJwtPublicKey: setting(
    'AUTH_JWT_PUBLIC_KEY',
    '',
    'RS256 (RSA) or ES256 (P-256) public key: PEM text (newlines may be written \\n) or the path of a PEM file',
    parseJwtPublicKey,
  ),
  authJwksUrl: setting(
    'AUTH_JWKS_URL',
    '',
    "RS256/ES256: the OIDC provider's key set URL (jwks_uri); keys are picked by kid and re-read when the provider rotates them",
    parseJwksUrl,
  ),
  authJwtIssuer: setting('AUTH_JWT_ISSUER', '', 'Required JWT issuer (iss)', optionalText),
  authJwtAudience: setting('AUTH_JWT_AUDIENCE', '', 'Required JWT audience (aud)', optionalText),
  authJwtRoleClaim: setting(
    'AUTH_JWT_ROLE_CLAIM',
    'role',
    'JWT claim (or dotted path, e.g. realm_access.roles) naming the role; the strongest known role wins',
    parseClaimPath,
  ),
  authJwtClockSkewSeconds: setting(
    'AUTH_JWT_CLOCK_SKEW_S',
    '30',
    'Tolerance in seconds when checking exp and nbf',
    integer(0, 300),
  ),
  sseMaxStreams: setting(
    'SSE_MAX_STREAMS',
    '100',
    'Most concurrent Server-Sent Event streams per instance (503 beyond)',
    integer(1, 100000),
  ),
  sseMaxReplayConsumers: setting(
    'SSE_MAX_REPLAY_CONSUMERS',
    '8',
    'Most streams resuming from further back than the replay buffer (each reads with its own Kafka consumer)',
    integer(0, 1000),
  ),
  sseReplayBuffer: setting(
    'SSE_REPLAY_BUFFER',
    '10000',
    'Recent device.twins records kept in memory so reconnecting streams resume without a consumer of their own',
    integer(1, 10000000),
  ),
  sseHeartbeatMs: setting(
    'SSE_HEARTBEAT_MS',
    '15000',
    'Interval of the comment lines that keep idle event streams open through proxies',
    integer(100, 3600000),
  ),
  history: setting(
    'HISTORY',
    'on',
    'on or off: keep every reading and every twin change for the history, telemetry and point-in-time reads',
    oneOf('on', 'off'),
  ),
  historyRetentionMs: setting(
    'HISTORY_RETENTION',
    '30d',
    'How long history entries are kept (e.g. 30d, 12h, 90s); the default of device types not in HISTORY_RETENTION_BY_TYPE',
    duration(1000, 3650 * 86400000),
  ),
  historyRetentionByType: setting(
    'HISTORY_RETENTION_BY_TYPE',
    '',
    'Retention per device type, e.g. sensor=7d,camera=1d; the history changelog keeps the longest of all retentions',
    keyValueList(/^[^=,\s]{1,128}$/, duration(1000, 3650 * 86400000)),
  ),
  traits: setting(
    'TRAITS',
    'on',
    'Computed traits and alert.raised/alert.cleared events per numeric reported field (on or off: no traits state, no traits section)',
    bool,
  ),
  behaviour: setting(
    'BEHAVIOUR',
    'off',
    "Network-behaviour twin: windowed features of every device's traffic, behaviour alerts and behaviour.window events (on or off: no behaviour state, no behaviour section)",
    bool,
  ),
  behaviourWindowMs: setting(
    'BEHAVIOUR_WINDOW',
    '60s',
    'Length of the behaviour windows (record time; e.g. 60s, 5m): one behaviour.window event and dataset row per device per window',
    duration(100, 86400000),
  ),
  wsMaxConnections: setting(
    'WS_MAX_CONNECTIONS',
    '1000',
    'Most concurrent WebSocket connections (/ws) per instance; beyond, a new one is closed with 4503',
    integer(1, 100000),
  ),
  wsMaxSubscriptions: setting(
    'WS_MAX_SUBSCRIPTIONS',
    '100',
    'Most subscriptions on one WebSocket connection; one more closes it with 4429',
    integer(1, 10000),
  ),
  wsMaxMessageBytes: setting(
    'WS_MAX_MESSAGE_BYTES',
    '16384',
    'Largest message a WebSocket client may send; a larger one closes the connection with 1009',
    integer(256, 1048576),
  ),
  wsAuthTimeoutMs: setting(
    'WS_AUTH_TIMEOUT_MS',
    '10000',
    'How long a WebSocket connection without an Authorization header has to send its auth message (else 4408)',
    integer(100, 600000),
  ),
  wsMaxBufferedBytes: setting(
    'WS_MAX_BUFFERED_BYTES',
    '8388608',
    'Bytes still queued for a WebSocket client when its next messages are due, beyond which it is too slow and closed with 4509',
    integer(65536, 1073741824),
  ),
  wsPingMs: setting(
    'WS_PING_MS',
    '30000',
    'Interval of WebSocket pings; a connection that has not answered the previous one is dropped',
    integer(100, 3600000),
  ),
  twinsFormat: setting(
    'TWINS_FORMAT',
    'json',
    'Value format of device.twins: json, or avro (Confluent wire format, schema registered under the subject device.twins-value, TOPIC_PREFIX included; needs SCHEMA_REGISTRY_URL)',
    oneOf('json', 'avro'),
  ),
  schemaRegistryUrl: setting(
    'SCHEMA_REGISTRY_URL',
    '',
    'Confluent-compatible schema registry (e.g. http://127.0.0.1:8081/apis/ccompat/v7); when set, input records starting with the Avro magic byte are decoded with its schemas',
    optional(url),
  ),
  schemaRegistryUsername: setting(
    'SCHEMA_REGISTRY_USERNAME',
    '',
    'Basic-auth user for the schema registry',
    optionalText,
  ),
  schemaRegistryPassword: setting(
    'SCHEMA_REGISTRY_PASSWORD',
    '',
    'Basic-auth password for the schema registry',
    optionalText,
  ),
} as const;

/** Everything the service reads: the common settings and its own. */
export const CONFIG_SCHEMA = { ...COMMON_SCHEMA, ...SERVICE_SCHEMA } as const;

export type CommonConfig = SettingValues<typeof COMMON_SCHEMA>;
/** The service's configuration: the common settings and `SERVICE_SCHEMA`. */
export type Config = SettingValues<typeof CONFIG_SCHEMA>;

function commonProblems(values: Partial<CommonConfig>): string[] {
  if (values.kafkaSaslMechanism && (!values.kafkaSaslUsername || !values.kafkaSaslPassword)) {
    return ['KAFKA_SASL_MECHANISM is set, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required'];
  }
  return [];
}

/** Parses the common settings only; throws one ConfigError naming every invalid variable. */
export function loadCommonConfig(env: NodeJS.ProcessEnv = process.env): CommonConfig {
  const { values, problems } = parseSettings(COMMON_SCHEMA, env);
  problems.push(...commonProblems(values));
  if (problems.length > 0) throw new ConfigError(problems);
  return values as CommonConfig;
}

/** Parses the service's settings; throws one ConfigError naming every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { values, problems } = parseSettings(CONFIG_SCHEMA, env);
  problems.push(...commonProblems(values), ...jwtSettingProblems(values as AuthSettings));
  if (values.twinsFormat === 'avro' && values.schemaRegistryUrl === undefined)
    problems.push('TWINS_FORMAT is avro, so SCHEMA_REGISTRY_URL is required');
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Config;
}

/** The URL peers use to reach this instance's API. */
export function advertisedUrl(config: Config): string {
  return config.advertisedUrl ?? `http://127.0.0.1:${config.httpPort}`;
}
