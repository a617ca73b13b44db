import type { Message } from 'kafkajs';
import { partitionForKey } from '../shared/partitioner';
import { historyChangelogTopic, inputTopics, topicNames } from '../shared/topics';
import { Registry } from 'prom-client';
import { createLogger } from '../shared/logger';
import { ROLLUP_START_KEY } from '../topology/history/keys';
import { HistoryMetrics } from '../topology/history/metrics';
import type { HistoryWrite } from '../topology/history/recorder';
import { RetentionPolicy } from '../topology/history/retention';
import { HistoryStore } from '../topology/task/history-store';
import { MemoryStorage } from '../topology/task/storage';
import type { BenchContext } from './context';
import { measureFold, preloadInputs } from './fold';
import { historyLocalBench } from './history-local';
import { telemetryEntries } from './history-entries';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment, startService } from './support/deployment';
import { benchKafka, createTopics } from './support/kafka';
import { round } from './stats';

const DAY = 86_400_000;
const MESSAGES_PER_DEVICE = 50;
const IN_FLIGHT = 4;
const TEMPLATE_ID = 'hr-template';

/** Fold msgs/s of one service over the same preloaded inputs with HISTORY=on, then off (exactly_once). */
async function foldOnOff(ctx: BenchContext, setup: Record<string, string | number>): Promise<Figure[]> {
  const { foldDevices, foldRecords } = ctx.sizes.history;
  const d = deployment(ctx, 'history-fold');
  try {
    const admin = benchKafka(ctx.brokers.kafka, 'bench-history').admin();
    await admin.connect();
    const topics = inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => ({ topic: t.topic }));
    await createTopics(admin, topics, ctx.sizes.partitions);
    await admin.disconnect();
    const size = await preloadInputs(ctx, d, foldDevices, foldRecords, 'hf-');
    setup['fold inputs'] =
      `${foldRecords} simulator records over ${foldDevices} devices, ${round(size)} B mean payload; exactly_once`;
    const rates: Record<string, number> = {};
    for (const history of ['on', 'off'] as const) {
      const r = await measureFold(ctx, d, 'exactly_once', foldRecords, {
        name: `history-${history}`,
        env: { HISTORY: history },
        profile: ctx.profile.has('history'),
      });
      rates[history] = r.rate;
      ctx.say(
        `history fold, HISTORY=${history}: ${round(r.rate)} msgs/s (${r.consumed} records in ${round(r.seconds)} s)`,
      );
    }
    const on = rates.on!;
    const off = rates.off!;
    return [
      { name: 'fold with history on', value: round(on), unit: 'msgs/s' },
      { name: 'fold with history off', value: round(off), unit: 'msgs/s' },
      {
        name: 'fold history on / off',
        value: off > 0 ? Math.round((on / off) * 100) / 100 : null,
        unit: 'x',
        target: { op: '>=', value: 0.8 },
        note: 'same inputs, same run, one service each',
      },
    ];
  } finally {
    await d.cleanup();
  }
}

/** Bytes of one produce request, under the broker's 1 MB batch limit (the entries of a partition). */
const MAX_BATCH_BYTES = 768 * 1024;

/** The changelog records of `entries` committed one fold at a time by a history store. */
async function templateRecords(
  entries: Iterable<HistoryWrite>,
): Promise<{ key: string; value: Buffer; timestamp: string }[]> {
  const store = new HistoryStore({
    storage: new MemoryStorage('history-template'),
    changelogTopic: 'history-template',
    partition: 0,
    now: () => Date.now(),
    metrics: new HistoryMetrics(new Registry()),
    log: createLogger({ write: () => undefined }),
  });
  await store.open({ dropCheckpoint: true });
  const out: { key: string; value: Buffer; timestamp: string }[] = [];
  for (const e of entries) {
    store.add([e]);
    if (e.kind === 'reading') continue; // a reading and its change are one fold
    await store.prepare();
    for (const m of store.changelogRecords()?.messages ?? []) {
      // The store's roll-up start is one record per partition, not per device.
      if (m.key === ROLLUP_START_KEY || !Buffer.isBuffer(m.value)) continue;
      out.push({ key: String(m.key), value: m.value, timestamp: String(m.timestamp) });
    }
    await store.committed([], undefined);
  }
  await store.close();
  return out;
}

/** Writes history entries as the processor makes them straight into the history changelog. */
async function fillHistoryChangelog(ctx: BenchContext, topic: string, entries: number): Promise<number> {
  const partitions = ctx.sizes.partitions;
  const retention = new RetentionPolicy({ defaultMs: 30 * DAY, byType: new Map() });
  const producer = benchKafka(ctx.brokers.kafka, 'bench-history').producer();
  await producer.connect();
  const sends = new Set<Promise<unknown>>();
  let batch: Message[] = [];
  let batchBytes = 0;
  let written = 0;
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const messages = batch;
    batch = [];
    batchBytes = 0;
    if (messages.length === 0) return;
    const send = producer.send({ topic, messages, acks: -1 }).finally(() => sends.delete(send));
    sends.add(send);
    while (sends.size >= IN_FLIGHT) await Promise.race(sends);
  };
  const since = Date.now() - DAY / 2;
  // One device's changelog records as the processor writes them (its readings, changes and their
  // roll-ups, one message per commit), renamed for every other device.
  const template = await templateRecords(
    telemetryEntries(retention, TEMPLATE_ID, MESSAGES_PER_DEVICE, (i) => since + i * 60_000),
  );
  try {
    for (let device = 0; written < entries; device++) {
      const id = `hr-${device}`;
      const partition = partitionForKey(id, partitions);
      for (const e of template) {
        if (written === entries) break;
        const key = e.key.replace(`|${TEMPLATE_ID}|`, `|${id}|`);
        const value = e.value.toString('utf8').replaceAll(TEMPLATE_ID, id);
        batch.push({ key, value, partition, timestamp: e.timestamp });
        bytes += value.length + key.length;
        batchBytes += value.length + key.length;
        written += 1;
        // A device's entries share a partition, and a broker refuses a batch over 1 MB.
        if (batch.length === 2000 || batchBytes >= MAX_BATCH_BYTES) await flush();
      }
    }
    await flush();
    await Promise.all(sends);
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

/** History restore entries/s: a service with an empty state dir rebuilding its history stores. */
async function restore(ctx: BenchContext, setup: Record<string, string | number>): Promise<Figure[]> {
  const entries = ctx.sizes.history.restoreEntries;
  const d = deployment(ctx, 'history-restore');
  const topic = historyChangelogTopic({ applicationId: d.applicationId });
  try {
    const admin = benchKafka(ctx.brokers.kafka, 'bench-history').admin();
    await admin.connect();
    await createTopics(admin, [{ topic }], ctx.sizes.partitions);
    await admin.disconnect();
    const began = Date.now();
    const bytes = await fillHistoryChangelog(ctx, topic, entries);
    setup['history changelog'] =
      `${entries} entries (readings and changes of telemetry), ${round(bytes / entries)} B each, written in ${round((Date.now() - began) / 1000)} s`;
    const service = await startService(ctx, d, { profile: ctx.profile.has('history'), timeoutMs: 600_000 });
    // pino writes the message after the fields: match both, in any order.
    const line = service.process.findLine(new RegExp(`(?=.*restored stores from changelog)(?=.*"${topic}")`));
    const logged = line
      ? (JSON.parse(line.slice(line.indexOf('{'))) as { records?: number; ms?: number })
      : {};
    await service.process.stop();
    const records = logged.records ?? 0;
    const ms = logged.ms ?? 0;
    ctx.say(`history restore: ${records} entries in ${ms} ms`);
    return [
      {
        name: 'history restore',
        value: ms > 0 ? round(records / (ms / 1000)) : null,
        unit: 'entries/s',
        target: { op: '>=', value: 200_000 },
        note: `${records} entries in ${round(ms / 1000)} s (the service's own log)`,
      },
    ];
  } finally {
    await d.cleanup();
  }
}

/**
 * history: the cost of keeping history (fold msgs/s with HISTORY on and off, same run), the
 * history restore, and the local history queries (bench/history-local.ts).
 */
export async function historyBench(ctx: BenchContext): Promise<BenchResult> {
  const setup: Record<string, string | number> = { ...ctx.versions, partitions: ctx.sizes.partitions };
  const figures: Figure[] = [];
  const local = await historyLocalBench(ctx);
  Object.assign(setup, local.setup);
  figures.push(...local.figures);
  figures.push(...(await foldOnOff(ctx, setup)));
  figures.push(...(await restore(ctx, setup)));
  printSetup('history', setup);
  return { bench: 'history', setup, figures, seconds: 0 };
}
