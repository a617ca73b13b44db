import { DEFAULT_MIX, type Mix } from './fleet';
import { SCENARIOS } from './scenarios';
import type { SimulatorOptions } from './simulator';

/** The CLI's own settings on top of the simulator's. */
export interface CliOptions extends SimulatorOptions {
  /** Seconds to run; 0 runs until SIGINT/SIGTERM. */
  durationSeconds: number;
  /** Seconds between progress lines; 0 prints none. */
  statsEverySeconds: number;
  /** A named behaviour scenario (scenarios.ts) to play over MQTT 5 instead of the fleet; '' none. */
  scenario: string;
  /** The behaviour window a scenario is shaped for (seconds; the service's BEHAVIOUR_WINDOW). */
  windowSeconds: number;
}

type Parser = (raw: string) => unknown;

interface Flag {
  flag: string;
  env: string;
  default: string;
  doc: string;
  parse: Parser;
}

const int =
  (min: number): Parser =>
  (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`must be an integer >= ${min}`);
    return n;
  };
const num =
  (min: number, max = Infinity): Parser =>
  (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new Error(`must be a number between ${min} and ${max}`);
    return n;
  };
const bool: Parser = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error('must be true or false');
};
const text: Parser = (raw) => raw;
const oneOf =
  (...values: string[]): Parser =>
  (raw) => {
    if (!values.includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw;
  };
const range: Parser = (raw) => {
  const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(raw);
  if (!m || Number(m[1]) > Number(m[2])) throw new Error('must be MIN-MAX seconds, e.g. 10-60');
  return [Number(m[1]), Number(m[2])];
};
const mix: Parser = (raw) => {
  const out: Mix = { telemetry: 0, state: 0, status: 0, error: 0 };
  for (const part of raw.split(',')) {
    const [kind, share] = part.split('=');
    if (!kind || !(kind in out) || share === undefined || !(Number(share) >= 0))
      throw new Error('must look like telemetry=0.9,state=0.05,status=0.03,error=0.02');
    out[kind as keyof Mix] = Number(share);
  }
  return out;
};
const brokers: Parser = (raw) =>
  raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

const mixText = Object.entries(DEFAULT_MIX)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

/** Every flag, its environment variable and default; `--help` prints this table. */
export const FLAGS: Record<keyof CliOptions, Flag> = {
  devices: { flag: 'devices', env: 'SIM_DEVICES', default: '10', doc: 'number of devices', parse: int(1) },
  rate: {
    flag: 'rate',
    env: 'SIM_RATE',
    default: '5',
    doc: 'messages per second, all devices together',
    parse: num(0.01),
  },
  transport: {
    flag: 'transport',
    env: 'SIM_TRANSPORT',
    default: 'mqtt',
    doc: 'mqtt (through the bridge) or kafka (straight into the input topics)',
    parse: oneOf('mqtt', 'kafka'),
  },
  durationSeconds: {
    flag: 'duration',
    env: 'SIM_DURATION',
    default: '0',
    doc: 'seconds to run (0: until Ctrl-C)',
    parse: num(0),
  },
  idPrefix: {
    flag: 'prefix',
    env: 'SIM_PREFIX',
    default: 'sim-',
    doc: 'device ids are PREFIX0001, PREFIX0002, ...',
    parse: text,
  },
  connections: {
    flag: 'connections',
    env: 'SIM_CONNECTIONS',
    default: '0',
    doc: 'MQTT connections (0: one per device up to 100 devices, else 20)',
    parse: int(0),
  },
  qos: {
    flag: 'qos',
    env: 'SIM_QOS',
    default: '1',
    doc: 'MQTT QoS of device messages',
    parse: (raw) => Number(oneOf('0', '1')(raw)),
  },
  mix: {
    flag: 'mix',
    env: 'SIM_MIX',
    default: mixText,
    doc: 'shares of message kinds (acks answer commands)',
    parse: mix,
  },
  anomalyRate: {
    flag: 'anomaly-rate',
    env: 'SIM_ANOMALY_RATE',
    default: '0.002',
    doc: 'chance per reading that a spike, stuck value or drift starts',
    parse: num(0, 1),
  },
  offlineRate: {
    flag: 'offline-rate',
    env: 'SIM_OFFLINE_RATE',
    default: '0.002',
    doc: 'chance per message that a device goes offline for a while',
    parse: num(0, 1),
  },
  offlineSeconds: {
    flag: 'offline-seconds',
    env: 'SIM_OFFLINE_SECONDS',
    default: '10-60',
    doc: 'length of an offline period, MIN-MAX seconds',
    parse: range,
  },
  reconnectRate: {
    flag: 'reconnect-rate',
    env: 'SIM_RECONNECT_RATE',
    default: '0.01',
    doc: 'chance per second that an MQTT connection drops (reconnects 1 s later)',
    parse: num(0, 1),
  },
  numbered: {
    flag: 'seq',
    env: 'SIM_SEQ',
    default: 'false',
    doc: 'add data.seq, a per-device counter, to telemetry',
    parse: bool,
  },
  listen: {
    flag: 'listen',
    env: 'SIM_LISTEN',
    default: 'true',
    doc: 'answer commands (ack) and desired state (state report) over MQTT',
    parse: bool,
  },
  announce: {
    flag: 'announce',
    env: 'SIM_ANNOUNCE',
    default: 'true',
    doc: 'say online at start and offline at stop',
    parse: bool,
  },
  seed: {
    flag: 'seed',
    env: 'SIM_SEED',
    default: '1',
    doc: 'seed of the fleet, its readings and anomalies',
    parse: int(0),
  },
  statsEverySeconds: {
    flag: 'stats-every',
    env: 'SIM_STATS_EVERY',
    default: '10',
    doc: 'seconds between progress lines (0: none)',
    parse: num(0),
  },
  mqttUrl: {
    flag: 'mqtt-url',
    env: 'MQTT_URL',
    default: 'mqtt://127.0.0.1:1883',
    doc: 'MQTT broker',
    parse: text,
  },
  mqttRoot: {
    flag: 'mqtt-root',
    env: 'SIM_MQTT_ROOT',
    default: 'device',
    doc: 'first level(s) of the MQTT topics: ROOT/{id}/telemetry',
    parse: text,
  },
  mqttUsername: {
    flag: 'mqtt-username',
    env: 'MQTT_USERNAME',
    default: '',
    doc: 'MQTT user name',
    parse: (raw) => raw || undefined,
  },
  mqttPassword: {
    flag: 'mqtt-password',
    env: 'MQTT_PASSWORD',
    default: '',
    doc: 'MQTT password',
    parse: (raw) => raw || undefined,
  },
  kafkaBrokers: {
    flag: 'kafka-brokers',
    env: 'KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    doc: 'Kafka brokers (kafka transport)',
    parse: brokers,
  },
  topicPrefix: {
    flag: 'topic-prefix',
    env: 'TOPIC_PREFIX',
    default: '',
    doc: 'prefix of the Kafka topic names (kafka transport)',
    parse: text,
  },
  scenario: {
    flag: 'scenario',
    env: 'SIM_SCENARIO',
    default: '',
    doc: `play a labelled behaviour scenario over MQTT 5 for --duration (${SCENARIOS.join(', ')})`,
    parse: (raw) => (raw === '' ? raw : oneOf(...SCENARIOS)(raw)),
  },
  windowSeconds: {
    flag: 'window',
    env: 'SIM_WINDOW',
    default: '60',
    doc: "a scenario's behaviour window in seconds (the service's BEHAVIOUR_WINDOW)",
    parse: num(0.1),
  },
  clientId: {
    flag: 'client-id',
    env: 'SIM_CLIENT_ID',
    default: '',
    doc: 'client id prefix (empty: twinfold-simulator-PID)',
    parse: text,
  },
};

/** The usage text: one line per flag with its variable and default. */
export function usage(): string {
  const lines = Object.values(FLAGS).map(
    (f) => `  --${f.flag.padEnd(16)} ${f.env.padEnd(20)} ${f.doc} (default ${f.default || 'none'})`,
  );
  return `usage: node dist/scripts/simulator.js [--flag value ...]\n${lines.join('\n')}\n`;
}

/**
 * Reads flags (`--rate 100`, `--rate=100`, `--seq`, `--no-listen`), then the environment, then
 * defaults. Throws one Error listing every invalid value.
 */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const given = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(arg);
    const flag = m && Object.values(FLAGS).find((f) => f.flag === m[2]);
    if (!m || !flag) {
      problems.push(`unknown argument ${JSON.stringify(arg)}`);
      continue;
    }
    const isBool = flag.parse === bool;
    if (m[1]) given.set(flag.flag, 'false');
    else if (m[3] !== undefined) given.set(flag.flag, m[3]);
    else if (isBool) given.set(flag.flag, 'true');
    else if (i + 1 < argv.length) given.set(flag.flag, argv[++i]!);
    else problems.push(`--${flag.flag} needs a value`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(FLAGS)) {
    const raw = given.get(f.flag) ?? env[f.env] ?? f.default;
    try {
      out[key] = f.parse(raw);
    } catch (err) {
      problems.push(`--${f.flag} / ${f.env} ${(err as Error).message}, got ${JSON.stringify(raw)}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const options = out as unknown as CliOptions;
  if (options.connections === 0) options.connections = options.devices <= 100 ? options.devices : 20;
  if (options.clientId === '') options.clientId = `twinfold-simulator-${process.pid}`;
  return options;
}
