import { readFileSync } from 'node:fs';

/** What the global setup started or found; shared with every test file through a small JSON file. */
export interface TestEnvironment {
  kafkaBrokers: string[];
  mqttUrl: string;
  /** Filled in by global setup for global teardown: what it must stop. */
  started: {
    kafkaPort?: number;
    kafkaDataDir?: string;
    mosquittoPid?: number;
    mosquittoDir?: string;
    containerId?: string;
  };
}

/**
 * One file per test run (named in TWINFOLD_TEST_ENV_FILE, which global setup sets before jest
 * starts its workers), so two runs on one machine never read each other's brokers.
 */
export function envFile(): string {
  const file = process.env.TWINFOLD_TEST_ENV_FILE;
  if (!file)
    throw new Error(
      'TWINFOLD_TEST_ENV_FILE is not set: run integration tests through jest (its global setup starts the brokers)',
    );
  return file;
}

let cached: TestEnvironment | undefined;

/** The brokers the integration tests talk to (real Kafka and real Mosquitto, never mocks). */
export function testEnv(): TestEnvironment {
  cached ??= JSON.parse(readFileSync(envFile(), 'utf8')) as TestEnvironment;
  return cached;
}

let counter = 0;

/** A topic prefix no other test (or earlier run against the same broker) uses. */
export function uniquePrefix(name: string): string {
  counter += 1;
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 24);
  return `t-${safe}-${Date.now().toString(36)}${process.pid.toString(36)}${counter}.`;
}
