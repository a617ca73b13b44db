import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './process';
import { freePort, waitUntil } from './ports';

/** The Kafka and MQTT brokers a benchmark run talks to, and how to stop the ones it started. */
export interface Brokers {
  kafka: string[];
  mqttUrl: string;
  /** What they are, for the printed setup. */
  describe: { kafka: string; mqtt: string };
  stop(): Promise<void>;
}

function kafkaVersion(): string {
  const pom = readFileSync(join(ROOT, 'scripts', 'kafka', 'pom.xml'), 'utf8');
  return /<kafka\.version>(.*)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
}

function mosquittoVersion(): string {
  try {
    const out = execFileSync('mosquitto', ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch (err) {
    const out = String((err as { stdout?: unknown }).stdout ?? '');
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Mosquitto tuned for a bridge that acknowledges after its Kafka write: the default of 20 QoS 1
 * messages in flight per client would throttle the bridge's uplink to 20 messages per Kafka write.
 */
async function startMosquitto(dir: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_inflight_messages 1000',
      'max_queued_messages 1000000',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new Error(`could not start mosquitto (${err.message}); install it or set MQTT_URL`)),
    );
    waitUntil('mosquitto to listen', () => accepts(port), 10000, 50).then(() => resolve(), reject);
  });
  return { url: `mqtt://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/**
 * Uses KAFKA_BROKERS / MQTT_URL when set; otherwise starts the project's own KRaft broker
 * (scripts/kafka.sh) and a Mosquitto, each on free ports, with data under `dir`.
 */
export async function startBrokers(dir: string, say: (msg: string) => void): Promise<Brokers> {
  mkdirSync(dir, { recursive: true });
  const stops: (() => void)[] = [];
  let kafka: string[];
  let kafkaWhat: string;
  if (process.env.KAFKA_BROKERS) {
    kafka = process.env.KAFKA_BROKERS.split(',');
    kafkaWhat = `existing broker(s) ${kafka.join(',')}`;
  } else {
    const port = await freePort();
    const env = {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      KAFKA_DATA_DIR: join(dir, 'kafka'),
    };
    const began = Date.now();
    execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), 'start'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    say(`Kafka ${kafkaVersion()} (scripts/kafka.sh) on 127.0.0.1:${port}, ready in ${Date.now() - began} ms`);
    stops.push(() =>
      execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), 'stop'], { env, stdio: 'ignore' }),
    );
    kafka = [`127.0.0.1:${port}`];
    kafkaWhat = `Apache Kafka ${kafkaVersion()}, single KRaft node (scripts/kafka.sh)`;
  }
  let mqttUrl: string;
  let mqttWhat: string;
  if (process.env.MQTT_URL) {
    mqttUrl = process.env.MQTT_URL;
    mqttWhat = `existing broker ${mqttUrl}`;
  } else {
    const m = await startMosquitto(dir);
    stops.push(m.stop);
    mqttUrl = m.url;
    mqttWhat = `Mosquitto ${mosquittoVersion()} (max_inflight_messages 1000)`;
    say(`Mosquitto on ${mqttUrl}`);
  }
  return {
    kafka,
    mqttUrl,
    describe: { kafka: kafkaWhat, mqtt: mqttWhat },
    stop: async () => {
      for (const stop of stops.reverse()) {
        try {
          stop();
        } catch {
          // already gone
        }
      }
      rmSync(join(dir, 'kafka'), { recursive: true, force: true });
    },
  };
}
