import { loadCommonConfig, type CommonConfig } from '../../shared/config';
import {
  bool,
  ConfigError,
  integer,
  loadTogether,
  oneOf,
  parseSettings,
  setting,
  type Parser,
  type SettingValues,
} from '../../shared/env-parsers';

/** A Hono tenant id as it may appear in a Kafka topic name and a twin id (no `:`, the separator). */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Comma-separated tenant ids, at least one, no repeats. */
const tenants: Parser<readonly string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (list.length === 0) throw new Error('must name at least one Hono tenant (comma-separated)');
  const bad = list.filter((t) => !TENANT_PATTERN.test(t));
  if (bad.length > 0)
    throw new Error(`tenant ids must match ${TENANT_PATTERN.source}, got ${JSON.stringify(bad)}`);
  if (new Set(list).size !== list.length) throw new Error('names a tenant twice');
  return Object.freeze(list);
};

/** Comma-separated media types (`type/subtype`), lower-cased; empty: none. */
const mediaTypes: Parser<ReadonlySet<string>> = (raw) => {
  const list = raw
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  const bad = list.filter((t) => !/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t));
  if (bad.length > 0) throw new Error(`must list media types like text/plain, got ${JSON.stringify(bad)}`);
  return new Set(list);
};

/** A Kafka topic name prefix: the characters Kafka allows, possibly empty. */
const topicPrefix: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9._-]{0,200}$/.test(raw))
    throw new Error(`must consist of A-Z a-z 0-9 . _ - only, got ${JSON.stringify(raw)}`);
  return raw;
};

/** A consumer group / transactional id; empty: derived from TWINFOLD_APPLICATION_ID. */
const adapterId: Parser<string | undefined> = (raw) => {
  if (raw === '') return undefined;
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(raw))
    throw new Error(`must match [A-Za-z0-9._-]{1,200}, got ${JSON.stringify(raw)}`);
  return raw;
};

/**
 * Settings only the Eclipse Hono adapter reads (HONO_*), validated at start-up like the bridge's
 * (shared/env-parsers.ts). The adapter also reads the common settings (Kafka, topic prefix, limits).
 */
export const HONO_CONFIG_SCHEMA = {
  tenants: setting(
    'HONO_TENANTS',
    undefined,
    'Eclipse Hono adapter: comma-separated Hono tenant ids whose topics it reads (required to run it; `npm start` starts the adapter only when set)',
    tenants,
  ),
  topicPrefix: setting(
    'HONO_TOPIC_PREFIX',
    'hono.',
    "Prefix of Hono's Kafka topics (`<prefix>telemetry.<tenant>`, `event`, `command`, `command_response`)",
    topicPrefix,
  ),
  adapterId: setting(
    'HONO_ADAPTER_ID',
    '',
    'Consumer groups and transactional ids of the adapter (`<id>-uplink`, `<id>-downlink`); empty: `<TWINFOLD_APPLICATION_ID>-hono`. Run one adapter per id',
    adapterId,
  ),
  eventInput: setting(
    'HONO_EVENT_INPUT',
    'telemetry',
    'What a Hono event with a JSON payload becomes: telemetry (readings merged) or state (the full reported state)',
    oneOf('telemetry', 'state'),
  ),
  jsonTypes: setting(
    'HONO_JSON_TYPES',
    '',
    'More content types whose payloads are read as JSON, besides `application/json` and `application/*+json` (e.g. `application/octet-stream` for devices that send JSON without saying so)',
    mediaTypes,
  ),
  commands: setting(
    'HONO_COMMANDS',
    'true',
    "Deliver twinfold commands of the tenants' twins to `hono.command.<tenant>` and fold Hono's command responses into acks",
    bool,
  ),
  httpPort: setting(
    'HONO_HTTP_PORT',
    '9465',
    'Eclipse Hono adapter: port of /metrics, /healthz and /readyz',
    integer(0, 65535),
  ),
} as const;

export type HonoConfig = SettingValues<typeof HONO_CONFIG_SCHEMA>;

export function loadHonoConfig(env: NodeJS.ProcessEnv = process.env): HonoConfig {
  const { values, problems } = parseSettings(HONO_CONFIG_SCHEMA, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return values as HonoConfig;
}

/** The common settings and the adapter's own; one ConfigError names every mistake of both. */
export function loadHonoSettings(env: NodeJS.ProcessEnv = process.env): {
  config: CommonConfig;
  hono: HonoConfig;
} {
  return loadTogether({ config: () => loadCommonConfig(env), hono: () => loadHonoConfig(env) });
}

/** The adapter's id: HONO_ADAPTER_ID, else `<TWINFOLD_APPLICATION_ID>-hono`. */
export function adapterIdOf(
  config: Pick<CommonConfig, 'applicationId'>,
  hono: Pick<HonoConfig, 'adapterId'>,
): string {
  return hono.adapterId ?? `${config.applicationId}-hono`;
}
