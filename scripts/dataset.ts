/**
 * Writes a reproducible behaviour dataset: a named, seeded simulator scenario's records (as the
 * bridge writes them) go into real Kafka input topics, a real service folds them, and its
 * behaviour.window events on device.events become one row per device per window, plus a data card.
 *
 *   npm run dataset -- --scenario mixed --devices 1000 --minutes 30 --out data/ [--seed 1] [--window 60s]
 *
 * Same arguments, same bytes. Simulated time end to end: every record's receive time and device
 * time come from the seed and the scenario clock (ms after SIMULATED_EPOCH_MS), never the wall
 * clock, and the fold windows by them. The records go in one window at a time, each slice
 * consumed before the next (feed.ts); at the simulated end every device goes offline, which
 * closes its last window; then the events are read to their end offsets (read-events.ts) and
 * sorted by window start and device. `windowStart` is ms from the scenario start.
 * KAFKA_BROKERS names the broker (default 127.0.0.1:9092). Run `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { UplinkRecord } from '../bridge/uplink-record';
import { inputTopics, topicNames } from '../shared/topics';
import { parseDatasetArgs } from './dataset/args';
import { feedInSlices } from './dataset/feed';
import { readWindowRows } from './dataset/read-events';
import { dataCard, expectedRows, stableRows, toCsv, toJsonl } from './dataset/rows';
import { scenarioRecord } from './simulator/scenario-records';
import {
  byReceipt,
  closingMessages,
  scenarioMessages,
  SIMULATED_EPOCH_MS,
  type ScenarioMessage,
} from './simulator/scenarios';

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

/** The records of `messages` (in receive order), one slice per window of receive time. */
function slices(messages: readonly ScenarioMessage[], windowMs: number, prefix: string): UplinkRecord[][] {
  const out: UplinkRecord[][] = [];
  const counts = new Map<string, number>();
  const first = Math.floor(SIMULATED_EPOCH_MS / windowMs);
  for (const m of messages) {
    const n = (counts.get(m.deviceId) ?? 0) + 1;
    counts.set(m.deviceId, n);
    // Cut as the fold cuts its windows: by receive time since the epoch.
    const slice = Math.floor((SIMULATED_EPOCH_MS + m.at + m.latency) / windowMs) - first;
    while (out.length <= slice) out.push([]);
    out[slice]!.push(scenarioRecord(m, SIMULATED_EPOCH_MS, n, prefix));
  }
  return out.filter((s) => s.length > 0);
}

async function main(): Promise<void> {
  const args = parseDatasetArgs(process.argv.slice(2));
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const began = Date.now();
  const startMs = SIMULATED_EPOCH_MS;
  const messages = byReceipt(
    scenarioMessages(args.scenario, {
      seed: args.seed,
      devices: args.devices,
      durationMs: args.minutes * 60_000,
      windowMs: args.windowMs,
    }),
  );
  // The simulated end: the window boundary after the last message's receipt.
  const last = messages.reduce((t, m) => Math.max(t, m.at + m.latency), 0);
  const endMs = (Math.floor(last / args.windowMs) + 1) * args.windowMs;
  const closing = closingMessages(messages, endMs);
  const prefix = `dataset-${process.pid}-${Date.now().toString(36)}.`;
  const names = topicNames({ topicPrefix: prefix });
  const applicationId = `${prefix}app`;
  const stateDir = mkdtempSync(join(tmpdir(), 'twinfold-dataset-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'api', 'main.js')], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      TOPIC_PREFIX: prefix,
      TWINFOLD_APPLICATION_ID: applicationId,
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
  const producer = kafka.producer({ idempotent: true });
  try {
    await waitUntil('the service', async () => (await fetch(`${url}/readyz`)).ok, 120_000);
    await Promise.all([admin.connect(), producer.connect()]);
    const inputs = inputTopics(names)
      .filter((t) => ['telemetry', 'state', 'status', 'ack', 'error'].includes(t.kind))
      .map((t) => t.topic);
    const target = { producer, admin, groupId: applicationId, inputs };
    const windows = slices(messages, args.windowMs, prefix);
    await feedInSlices(target, windows, (done) => {
      if (done % 10 === 0) process.stderr.write(`dataset: ${done}/${windows.length} windows folded\n`);
    });
    const counts = new Map<string, number>();
    for (const m of messages) counts.set(m.deviceId, (counts.get(m.deviceId) ?? 0) + 1);
    await feedInSlices(target, [
      closing.map((m) => scenarioRecord(m, startMs, (counts.get(m.deviceId) ?? 0) + 1, prefix)),
    ]);
    const rows = stableRows(await readWindowRows(kafka, names.events), startMs);
    const expected = expectedRows(messages, args.windowMs, startMs);
    if (rows.length !== expected)
      throw new Error(`the service wrote ${rows.length} behaviour windows, ${expected} expected`);
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
    const csv = toCsv(rows, `twinfold behaviour dataset ${comment}`);
    writeFileSync(join(args.out, `${name}.csv`), csv);
    writeFileSync(join(args.out, `${name}.jsonl`), toJsonl(rows));
    writeFileSync(join(args.out, `${name}.md`), dataCard(rows, meta));
    const seconds = (Date.now() - began) / 1000;
    const summary = {
      file: join(args.out, `${name}.csv`),
      rows: rows.length,
      bytes: Buffer.byteLength(csv),
      messages: messages.length,
      seconds,
      rowsPerSecond: Math.round(rows.length / seconds),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await producer.disconnect().catch(() => undefined);
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
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
