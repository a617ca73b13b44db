/**
 * Writes a reproducible behaviour dataset: a named, seeded simulator scenario's records (as the
 * bridge writes them) go into real Kafka input topics, a real service folds them, and its
 * behaviour.window events on device.events become one row per device per window, plus a data card.
 *
 *   npm run dataset -- --scenario mixed --devices 1000 --minutes 30 --out data/ [--seed 1] [--window 60s]
 *
 * Same arguments, same bytes: the rows come from simulated time only (record times and device
 * times of the scenario), never the wall clock; `windowStart` is ms from the scenario start.
 * KAFKA_BROKERS names the broker (default 127.0.0.1:9092). Run `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { JsonObject } from '../shared/json';
import { isPlainObject, parseJsonSafely } from '../shared/safe-json';
import { topicNames } from '../shared/topics';
import { dataCard, expectedRows, stableRows, toCsv, toJsonl, type DatasetRow } from './dataset/rows';
import { scenarioRecord } from './simulator/scenario-records';
import { byReceipt, scenarioMessages, SCENARIOS, type ScenarioName } from './simulator/scenarios';

interface Args {
  scenario: ScenarioName;
  devices: number;
  minutes: number;
  seed: number;
  windowMs: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, def: string): string => {
    const i = argv.indexOf(`--${flag}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
  };
  const scenario = get('scenario', 'mixed');
  if (!(SCENARIOS as readonly string[]).includes(scenario))
    throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  const window = /^(\d+)(ms|s|m)$/.exec(get('window', '60s'));
  if (!window) throw new Error('--window must look like 60s, 500ms or 5m');
  const windowMs = Number(window[1]) * (window[2] === 'ms' ? 1 : window[2] === 's' ? 1000 : 60_000);
  const args = {
    scenario: scenario as ScenarioName,
    devices: Number(get('devices', '100')),
    minutes: Number(get('minutes', '30')),
    seed: Number(get('seed', '1')),
    windowMs,
    out: get('out', 'data'),
  };
  if (!(args.devices >= 1 && args.minutes > 0 && Number.isInteger(args.seed) && windowMs >= 100))
    throw new Error('--devices >= 1, --minutes > 0, --seed an integer, --window >= 100ms');
  return args;
}

/** A parsed JSON object (what parseJsonSafely gives for `{...}`). */
function isJsonObject(value: unknown): value is JsonObject {
  return isPlainObject(value);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const began = Date.now();
  // Simulated time starts at a window boundary shortly before now (Kafka keeps recent records).
  const startMs = Math.floor((Date.now() - args.minutes * 60_000) / 3_600_000) * 3_600_000;
  const messages = byReceipt(
    scenarioMessages(args.scenario, {
      seed: args.seed,
      devices: args.devices,
      durationMs: args.minutes * 60_000,
      windowMs: args.windowMs,
    }),
  );
  const prefix = `dataset-${process.pid}-${Date.now().toString(36)}.`;
  const names = topicNames({ topicPrefix: prefix });
  const stateDir = mkdtempSync(join(tmpdir(), 'twinfold-dataset-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'api', 'main.js')], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      TOPIC_PREFIX: prefix,
      TWINFOLD_APPLICATION_ID: `${prefix}app`,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      STATE_DIR: stateDir,
      AUTH_MODE: 'none',
      BEHAVIOUR: 'on',
      BEHAVIOUR_WINDOW: `${args.windowMs}ms`,
      TRAITS: 'off',
      HISTORY: 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const kafka = new Kafka({ brokers, clientId: `${prefix}dataset`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await waitUntil('the service', async () => (await fetch(`${url}/readyz`)).ok, 120_000);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const counts = new Map<string, number>();
    const records = messages.map((m) => {
      const n = (counts.get(m.deviceId) ?? 0) + 1;
      counts.set(m.deviceId, n);
      return scenarioRecord(m, startMs, n, prefix);
    });
    for (let i = 0; i < records.length; i += 2000) {
      const batch = records.slice(i, i + 2000);
      const byTopic = new Map<string, (typeof batch)[number]['message'][]>();
      for (const r of batch) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.message]);
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    }
    await producer.disconnect();
    const expected = expectedRows(messages, args.windowMs, startMs);
    const rows: DatasetRow[] = [];
    const read = new Map<number, number>();
    const consumer = kafka.consumer({ groupId: `${prefix}dataset-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: names.events, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        read.set(partition, Number(message.offset) + 1);
        if (message.value === null || message.key === null) return;
        const event = parseJsonSafely(message.value);
        if (!isPlainObject(event) || event.type !== 'behaviour.window' || !isJsonObject(event.data)) return;
        rows.push({ deviceId: message.key.toString('utf8'), ...event.data });
      },
    });
    process.stderr.write(`dataset: ${records.length} records written, folding\n`);
    // Done when the expected windows are in, or no new row came for 10 s (some windows hold only
    // messages the fold ignores, e.g. a stale status).
    let last = -1;
    let stableSince = Date.now();
    await waitUntil(
      'the rows',
      async () => {
        if (rows.length !== last) {
          last = rows.length;
          stableSince = Date.now();
        }
        return rows.length >= expected || (rows.length > 0 && Date.now() - stableSince > 10_000);
      },
      30 * 60_000,
    );
    await consumer.disconnect();
    const ordered = stableRows(rows, startMs);
    const name = `behaviour-${args.scenario}-seed${args.seed}-${args.devices}d-${args.minutes}m`;
    const meta = {
      scenario: args.scenario,
      seed: args.seed,
      devices: args.devices,
      minutes: args.minutes,
      windowMs: args.windowMs,
      messages: messages.length,
    };
    mkdirSync(args.out, { recursive: true });
    const comment = Object.entries(meta)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    writeFileSync(join(args.out, `${name}.csv`), toCsv(ordered, `twinfold behaviour dataset ${comment}`));
    writeFileSync(join(args.out, `${name}.jsonl`), toJsonl(ordered));
    writeFileSync(join(args.out, `${name}.md`), dataCard(ordered, meta));
    const seconds = (Date.now() - began) / 1000;
    process.stdout.write(
      `${JSON.stringify({ file: join(args.out, `${name}.csv`), rows: ordered.length, messages: messages.length, seconds, rowsPerSecond: Math.round(ordered.length / seconds) })}\n`,
    );
  } finally {
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    await admin.connect().catch(() => undefined);
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`dataset: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
