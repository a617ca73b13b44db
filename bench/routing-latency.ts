/**
 * GET latency of a twin served locally vs forwarded to its owner, and list latency over the whole
 * fleet, on 3 service instances (separate processes) sharing one group.
 *
 *   npm run build && node dist/bench/routing-latency.js [twins=10000] [gets=2000]
 *
 * Uses KAFKA_BROKERS when set, else starts the project's own broker (scripts/kafka.sh) on free
 * ports and stops it afterwards. Requests are sequential (one in flight) with a keep-alive client,
 * so the figures are per-request latency, not throughput. Prints a table and a JSON line.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { InstancesView } from '../api/routing/instances-view';
import { partitionForKey } from '../shared/partitioner';
import { summarize, type LatencySummary } from './stats';

const ROOT = join(__dirname, '..', '..');
const PARTITIONS = 6;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function get(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function brokers(): Promise<{ list: string[]; stop: () => void }> {
  if (process.env.KAFKA_BROKERS) return { list: process.env.KAFKA_BROKERS.split(','), stop: () => undefined };
  const port = await freePort();
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_DATA_DIR: join(ROOT, '.cache', 'kafka', `bench-routing-${port}`),
  };
  execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), 'start'], { stdio: 'inherit', env });
  return {
    list: [`127.0.0.1:${port}`],
    stop: () => {
      execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), 'stop'], { stdio: 'inherit', env });
      rmSync(env.KAFKA_DATA_DIR, { recursive: true, force: true });
    },
  };
}

async function startService(env: Record<string, string>, stateRoot: string, name: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'api', 'main.js')], {
    env: {
      ...process.env,
      ...env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      ADVERTISED_URL: url,
      STATE_DIR: join(stateRoot, name),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await until(`${name} ready`, async () => ((await get(url, '/readyz')).status === 200 ? true : undefined));
  return { url, child };
}

async function seed(brokerList: string[], prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `lat-${String(i).padStart(6, '0')}`);
  const kafka = new Kafka({ clientId: 'bench-routing', brokers: brokerList, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  const now = Date.now();
  for (let i = 0; i < ids.length; i += 2000) {
    await producer.send({
      topic: `${prefix}device.telemetry`,
      acks: -1,
      messages: ids.slice(i, i + 2000).map((id) => ({
        key: id,
        value: JSON.stringify({ data: { temperature: 20, humidity: 50 }, timestamp: now }),
      })),
    });
  }
  await producer.disconnect();
  return ids;
}

async function view(url: string): Promise<InstancesView> {
  return (JSON.parse((await get(url, '/api/v1/system/instances')).body) as { data: InstancesView }).data;
}

async function timeGets(url: string, ids: readonly string[], n: number): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = ids[(i * 7919) % ids.length]!;
    const t = performance.now();
    const answer = await get(url, `/api/v1/twins/${id}`);
    if (answer.status !== 200)
      throw new Error(`GET ${id}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

/** Walks the whole list with `limit`; returns per-page latencies and the total time of each walk. */
async function timeList(url: string, limit: number, walks: number, expected: number) {
  const pages: number[] = [];
  const totals: number[] = [];
  for (let w = 0; w < walks; w++) {
    const began = performance.now();
    let cursor: string | null = null;
    let seen = 0;
    do {
      const t = performance.now();
      const answer = await get(url, `/api/v1/twins?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(performance.now() - t);
      if (answer.status !== 200) throw new Error(`list: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
      const data = (JSON.parse(answer.body) as { data: { count: number; nextCursor: string | null } }).data;
      seen += data.count;
      cursor = data.nextCursor;
    } while (cursor);
    if (seen !== expected) throw new Error(`list walked ${seen} twins, expected ${expected}`);
    totals.push(performance.now() - began);
  }
  return { page: summarize(pages), walk: summarize(totals) };
}

async function main(): Promise<void> {
  const twins = Number(process.argv[2] ?? 10_000);
  const gets = Number(process.argv[3] ?? 2000);
  const kafka = await brokers();
  const stateRoot = mkdtempSync(join(tmpdir(), 'twinfold-bench-routing-'));
  const prefix = `bench-routing-${Date.now().toString(36)}.`;
  const env = {
    KAFKA_BROKERS: kafka.list.join(','),
    TOPIC_PREFIX: prefix,
    TWINFOLD_APPLICATION_ID: `${prefix}app`,
    PARTITIONS: String(PARTITIONS),
    AUTH_MODE: 'none',
    OFFLINE_AFTER_MS: String(24 * 3600 * 1000),
  };
  const services: { url: string; child: ChildProcess }[] = [];
  try {
    for (const name of ['a', 'b', 'c']) services.push(await startService(env, stateRoot, name));
    const ids = await seed(kafka.list, prefix, twins);
    const a = services[0]!;
    const map = await until('a settled map naming 3 instances', async () => {
      const views = await Promise.all(services.map((s) => view(s.url)));
      const ok = views.every((v) => v.state === 'current' && v.instances.length === 3);
      return ok ? views[0] : undefined;
    });
    // timeList throws until the walk finds every twin: the processors have folded the seed.
    await until(`${twins} twins listed`, () => timeList(a.url, 1000, 1, twins));
    const owner = (id: string): string => map.partitions[partitionForKey(id, map.partitionCount)]!.url!;
    const local = ids.filter((id) => owner(id) === a.url);
    const remote = ids.filter((id) => owner(id) !== a.url);
    await timeGets(a.url, ids, 300); // warm-up: connections, caches, JIT
    const results = {
      twins,
      instances: 3,
      partitions: PARTITIONS,
      getLocal: await timeGets(a.url, local, gets),
      getForwarded: await timeGets(a.url, remote, gets),
      list1000: await timeList(a.url, 1000, 5, twins),
      list100: (await timeList(a.url, 100, 1, twins)).page,
    };
    const row = (label: string, s: LatencySummary): string =>
      `| ${label} | ${s.count} | ${s.p50} | ${s.p99} | ${s.max} |`;
    process.stdout.write(
      [
        `\n${twins} twins, 3 instances, ${PARTITIONS} partitions; sequential requests to instance a (ms)\n`,
        '| what | n | p50 | p99 | max |',
        '|---|---|---|---|---|',
        row('GET /twins/{id}, local', results.getLocal),
        row('GET /twins/{id}, forwarded', results.getForwarded),
        row('GET /twins?limit=1000, one page (fan-out to 3)', results.list1000.page),
        row(`GET /twins?limit=1000, whole list (${Math.ceil(twins / 1000)} pages)`, results.list1000.walk),
        row('GET /twins?limit=100, one page (fan-out to 3)', results.list100),
        '',
        JSON.stringify(results),
        '',
      ].join('\n'),
    );
  } finally {
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(
      services.map(
        (s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r))),
      ),
    );
    agent.destroy();
    rmSync(stateRoot, { recursive: true, force: true });
    kafka.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
