import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestEnvironment } from './env';
import { freePort } from './free-port';
import { startTestMosquitto } from './mqtt-broker';

const ROOT = join(__dirname, '..', '..');

function log(msg: string): void {
  process.stderr.write(`[test-setup] ${msg}\n`);
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function kafkaFromTestcontainers(env: TestEnvironment): Promise<void> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
  env.kafkaBrokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
  env.started.containerId = container.getId();
}

function kafkaFromScript(env: TestEnvironment, port: number, controllerPort: number): void {
  const dataDir = join(ROOT, '.cache', 'kafka', `test-${port}`);
  rmSync(dataDir, { recursive: true, force: true });
  const began = Date.now();
  execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), 'start'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_DATA_DIR: dataDir,
    },
  });
  log(`local Kafka broker ready in ${Date.now() - began} ms`);
  env.kafkaBrokers = [`127.0.0.1:${port}`];
  env.started.kafkaPort = port;
  env.started.kafkaDataDir = dataDir;
}

/** The shipped Mosquitto configuration, open to anonymous clients (tests use topic roots of their own). */
async function startMosquitto(env: TestEnvironment): Promise<void> {
  const mosquitto = await startTestMosquitto('open');
  env.mqttUrl = mosquitto.url;
  env.started.mosquittoPid = mosquitto.pid;
  env.started.mosquittoDir = mosquitto.dir;
}

/**
 * Finds or starts the real brokers: KAFKA_BROKERS when set; else testcontainers when a Docker engine
 * answers; else the project's own KRaft broker (scripts/kafka.sh). MQTT_URL when set; else a
 * Mosquitto of our own on a free port with the shipped configuration (deploy/mosquitto/).
 */
export default async function globalSetup(): Promise<void> {
  const env: TestEnvironment = { kafkaBrokers: [], mqttUrl: '', started: {} };
  if (process.env.KAFKA_BROKERS) {
    env.kafkaBrokers = process.env.KAFKA_BROKERS.split(',');
  } else if (process.env.TWINFOLD_TEST_DOCKER !== 'false' && dockerAnswers()) {
    await kafkaFromTestcontainers(env);
  } else {
    // Free ports, so two test runs on one machine (or a developer's `npm start`) never collide.
    const port = process.env.TWINFOLD_TEST_KAFKA_PORT
      ? Number(process.env.TWINFOLD_TEST_KAFKA_PORT)
      : await freePort();
    kafkaFromScript(env, port, await freePort());
  }
  if (process.env.MQTT_URL) {
    env.mqttUrl = process.env.MQTT_URL;
    log(
      `MQTT_URL=${env.mqttUrl}: its queue limits are not the shipped ones (deploy/mosquitto/) unless you set ` +
        'them (max_queued_messages, max_queued_bytes); the tests of the shipped configuration start their own Mosquitto',
    );
  } else await startMosquitto(env);
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const file = join(ROOT, '.cache', `test-env-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(env, null, 2));
  process.env.TWINFOLD_TEST_ENV_FILE = file;
  log(`kafka ${env.kafkaBrokers.join(',')}, mqtt ${env.mqttUrl}`);
}
