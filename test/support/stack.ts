import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv, uniquePrefix } from './env';
import { freePort } from './free-port';
import { ProcessGroup, type ServiceProcess } from './processes';
import { waitFor } from './wait';

/** Settings shared by every process of one test's twinfold deployment: its own topics, group and state. */
export interface Deployment {
  prefix: string;
  env: Record<string, string>;
  processes: ProcessGroup;
  /** A fresh state dir per service instance, removed by `cleanup`. */
  stateDir(name: string): string;
  cleanup(): Promise<void>;
}

export function deployment(name: string, extra: Record<string, string> = {}): Deployment {
  const prefix = uniquePrefix(name);
  const root = mkdtempSync(join(tmpdir(), 'twinfold-test-'));
  const processes = new ProcessGroup();
  const { kafkaBrokers, mqttUrl } = testEnv();
  return {
    prefix,
    processes,
    env: {
      KAFKA_BROKERS: kafkaBrokers.join(','),
      MQTT_URL: mqttUrl,
      TOPIC_PREFIX: prefix,
      TWINFOLD_APPLICATION_ID: `${prefix}app`,
      BRIDGE_CLIENT_ID: `${prefix}bridge`,
      PARTITIONS: '4',
      // Authentication is on by default; tests about something else switch it off explicitly
      // (the service logs that loudly). api-auth.test.ts passes its own AUTH_* settings.
      AUTH_MODE: 'none',
      ...extra,
    },
    stateDir: (instance) => join(root, instance),
    cleanup: async () => {
      await processes.stopAll();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface ServiceInstance {
  process: ServiceProcess;
  url: string;
}

/** Starts the service (processor + API) as its own process and waits until /readyz answers 200. */
export async function startService(
  d: Deployment,
  instance = 'a',
  extra: Record<string, string> = {},
): Promise<ServiceInstance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = d.processes.spawn(
    'api/main.js',
    {
      ...d.env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      ADVERTISED_URL: url,
      STATE_DIR: d.stateDir(instance),
      ...extra,
    },
    `service-${instance}`,
  );
  await waitForReady(proc, url);
  return { process: proc, url };
}

export async function waitForReady(proc: ServiceProcess, url: string, timeoutMs = 90000): Promise<void> {
  await waitFor(
    `${proc.name} to be ready`,
    async () => {
      if (!proc.running) throw new Error(`${proc.name} exited:\n${proc.lines.slice(-20).join('\n')}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.ok;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** GET a JSON body from the API; returns status and parsed body. */
export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
