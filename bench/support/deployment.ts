import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../context';
import { nodeProcess, type BenchProcess } from './process';
import { freePort, waitUntil } from './ports';

/** One twinfold deployment of a benchmark: its own topics, application id, MQTT root and state. */
export interface Deployment {
  name: string;
  /** Kafka topic prefix, e.g. `bench-xyz.fold.`. */
  prefix: string;
  applicationId: string;
  /** MQTT topic root the bridge and the simulator use instead of `device`. */
  mqttRoot: string;
  /** Environment shared by every process of the deployment. */
  env: Record<string, string>;
  /** Bearer token of a viewer (authentication stays on, as by default: AUTH_MODE static). */
  token: string;
  processes: BenchProcess[];
  stateDir(instance: string): string;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the state directories. */
  cleanup(): Promise<void>;
}

/** A running service (processor + API). */
export interface Service {
  url: string;
  process: BenchProcess;
  /** Epoch ms of spawn and of the first 200 from /readyz. */
  startedAt: number;
  readyAt: number;
}

/**
 * BENCH_SERVICE_ENV=`NAME=value,NAME=value`: extra settings for every twinfold process of the run
 * (to try what moves a figure, e.g. CACHE_MAX_ENTRIES=2000). Printed in each setup.
 */
export function serviceEnvOverrides(raw = process.env.BENCH_SERVICE_ENV ?? ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`BENCH_SERVICE_ENV: ${JSON.stringify(pair)} is not NAME=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function deployment(ctx: BenchContext, name: string, extra: Record<string, string> = {}): Deployment {
  const prefix = `${ctx.runId}.${name}.`;
  const root = join(ctx.workDir, name);
  const processes: BenchProcess[] = [];
  const mqttRoot = `${ctx.runId}/${name}/device`;
  const token = randomBytes(24).toString('hex');
  return {
    token,
    name,
    prefix,
    applicationId: `${ctx.runId}-${name}`,
    mqttRoot,
    processes,
    env: {
      KAFKA_BROKERS: ctx.brokers.kafka.join(','),
      MQTT_URL: ctx.brokers.mqttUrl,
      TOPIC_PREFIX: prefix,
      TWINFOLD_APPLICATION_ID: `${ctx.runId}-${name}`,
      PARTITIONS: String(ctx.sizes.partitions),
      LOG_LEVEL: 'info',
      // No wall-clock timer work during a measurement (a silent twin turning `unknown`).
      OFFLINE_AFTER_MS: String(24 * 3600 * 1000),
      // Authentication is on by default (static tokens); the benchmarks switch it off explicitly.
      AUTH_MODE: 'none',
      ...extra,
    },
    stateDir: (instance) => {
      const dir = join(root, instance);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    cleanup: async () => {
      await Promise.all(processes.splice(0).map((p) => p.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `node dist/api/main.js` for the deployment and waits for /readyz (unless `wait` is
 * false). `profile`: run it under --cpu-prof (the profile is written when it exits cleanly).
 */
export async function startService(
  ctx: BenchContext,
  d: Deployment,
  options: {
    instance?: string;
    env?: Record<string, string>;
    profile?: boolean;
    timeoutMs?: number;
    /** Called right after the spawn, before readiness (e.g. to sample memory from the start). */
    onSpawn?: (proc: BenchProcess) => void;
  } = {},
): Promise<Service> {
  const instance = options.instance ?? 'a';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  const proc = nodeProcess(
    `${d.name}-service-${instance}`,
    join('api', 'main.js'),
    {
      ...d.env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      ADVERTISED_URL: url,
      STATE_DIR: d.stateDir(instance),
      ...options.env,
    },
    ctx.logDir,
    options.profile ? ctx.profileDir : undefined,
  );
  d.processes.push(proc);
  options.onSpawn?.(proc);
  await waitUntil(
    `${proc.name} to be ready`,
    async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok,
    options.timeoutMs ?? 120_000,
    50,
    () => (proc.running ? undefined : `${proc.name} exited:\n${proc.tail()}`),
  );
  return { url, process: proc, startedAt, readyAt: Date.now() };
}

/** Starts `node dist/bridge/main.js` on the deployment's MQTT root and waits until it runs. */
export async function startBridge(ctx: BenchContext, d: Deployment): Promise<BenchProcess> {
  const root = d.mqttRoot;
  const proc = nodeProcess(
    `${d.name}-bridge`,
    join('bridge', 'main.js'),
    {
      ...d.env,
      BRIDGE_CLIENT_ID: `${d.applicationId}-bridge`.replace(/[^A-Za-z0-9._:-]/g, '-'),
      BRIDGE_HTTP_PORT: String(await freePort()),
      BRIDGE_STATUS_TOPIC: `${ctx.runId}/${d.name}/bridge/status`,
      BRIDGE_TOPIC_TELEMETRY: `${root}/{id}/telemetry`,
      BRIDGE_TOPIC_STATE: `${root}/{id}/state`,
      BRIDGE_TOPIC_STATUS: `${root}/{id}/status`,
      BRIDGE_TOPIC_ACK: `${root}/{id}/ack`,
      BRIDGE_TOPIC_ERROR: `${root}/{id}/error`,
      BRIDGE_TOPIC_COMMAND: `${root}/{id}/command`,
      BRIDGE_TOPIC_DESIRED: `${root}/{id}/desired`,
    },
    ctx.logDir,
  );
  d.processes.push(proc);
  await proc.waitForLine(/"bridge running"/, 60_000);
  return proc;
}

/** Sum of every sample of one Prometheus metric on `url`/metrics (0 when absent). */
export async function scrapeMetric(url: string, name: string, token?: string): Promise<number> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${url}/metrics`, { headers });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) sum += Number(m[3]);
  }
  return sum;
}
