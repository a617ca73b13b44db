import type { Message } from 'kafkajs';
import { deviceId } from '../scripts/simulator/fleet';
import { KafkaTransport } from '../scripts/simulator/kafka-transport';
import { partitionForKey } from '../shared/partitioner';
import { DEFAULT_JSON_LIMITS } from '../shared/safe-json';
import { changelogTopic, inputTopics, topicNames } from '../shared/topics';
import { decodeInput, DEFAULT_FOLD_CONFIG, foldTwin, type TwinState } from '../topology/twin';
import { storedTwinCodec } from '../topology/twin-codec';
import type { BenchContext } from './context';
import { printSetup, type BenchResult } from './report';
import {
  deployment,
  scrapeMetric,
  serviceEnvOverrides,
  startService,
  type Deployment,
} from './support/deployment';
import { benchKafka, committedTotal, createTopics } from './support/kafka';
import type { BenchProcess } from './support/process';
import { sleep, waitUntil } from './support/ports';
import { round } from './stats';

const MB = 1024 * 1024;
/** Bytes per partition in one produce request: under the broker's 1 MB batch limit. */
const PER_PARTITION_BYTES = 768 * 1024;
const IN_FLIGHT = 4;
/** Twins kept decoded per partition: the service's CACHE_MAX_ENTRIES (default 20000). */
const CACHE_PER_PARTITION = Number(serviceEnvOverrides().CACHE_MAX_ENTRIES ?? 20_000);

/** A twin as the fold makes it from one seed-001 telemetry message (the shape most twins have). */
function templateTwin(nowMs: number): TwinState {
  const payload = {
    timestamp: new Date(nowMs).toISOString(),
    data: { temperature: 23.5, humidity: 60.2, pressure: 1013.25, battery: 90.12 },
  };
  const input = decodeInput(
    'telemetry',
    'template',
    Buffer.from(JSON.stringify(payload)),
    nowMs,
    DEFAULT_JSON_LIMITS,
  );
  const { state } = foldTwin(undefined, input, { nowMs, config: DEFAULT_FOLD_CONFIG });
  if (!state) throw new Error('the fold made no twin from a telemetry message');
  return state;
}

/**
 * Writes `count` twins straight into the store's changelog (the internal codec, one record per
 * twin, explicit partition = the key's partition), as the processor would have. Returns the
 * bytes written.
 */
async function fillChangelog(
  ctx: BenchContext,
  topic: string,
  count: number,
  partitions: number,
): Promise<number> {
  const producer = benchKafka(ctx.brokers.kafka, 'bench-restore').producer();
  await producer.connect();
  const template = templateTwin(Date.now());
  const buffers: Message[][] = Array.from({ length: partitions }, () => []);
  const bufferBytes: number[] = Array.from({ length: partitions }, () => 0);
  const sends = new Set<Promise<unknown>>();
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const messages = buffers.flatMap((b) => b.splice(0));
    bufferBytes.fill(0);
    if (messages.length === 0) return;
    const send = producer.send({ topic, messages, acks: -1 }).finally(() => sends.delete(send));
    sends.add(send);
    while (sends.size >= IN_FLIGHT) await Promise.race(sends);
  };
  try {
    for (let i = 0; i < count; i++) {
      const id = deviceId('rs-', i);
      const reported = { ...template.reported, temperature: 15 + (i % 200) / 10 };
      const value = storedTwinCodec.encode({ ...template, id, reported });
      bytes += value.length;
      const partition = partitionForKey(id, partitions);
      const buffer = buffers[partition]!;
      buffer.push({ key: id, value, partition });
      bufferBytes[partition] = bufferBytes[partition]! + value.length + id.length;
      if (bufferBytes[partition]! >= PER_PARTITION_BYTES) await flush();
    }
    await flush();
    await Promise.all(sends);
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

/** Where the memory is, from the service's own Node metrics (prom-client defaults). */
async function memoryBreakdown(url: string, token: string): Promise<string> {
  const mb = async (name: string): Promise<number> => round((await scrapeMetric(url, name, token)) / MB);
  const heap = await mb('nodejs_heap_size_used_bytes');
  const total = await mb('nodejs_heap_size_total_bytes');
  const external = await mb('nodejs_external_memory_bytes');
  return `V8 heap ${heap} MB used of ${total} MB, external (Buffers) ${external} MB; the rest is native (LevelDB, malloc)`;
}

/** Peak and latest RSS of a process, sampled every 250 ms until stopped. */
function sampleRss(proc: BenchProcess): { peak: () => number; stop: () => void } {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, proc.rssBytes() ?? 0)), 250);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

/**
 * Touches `count` distinct twins (one telemetry each, straight into Kafka) and waits until the
 * service has consumed them: afterwards its caches hold what a live instance's would.
 */
async function fillCaches(ctx: BenchContext, d: Deployment, twins: number, count: number): Promise<void> {
  const transport = new KafkaTransport({
    brokers: ctx.brokers.kafka,
    topicPrefix: d.prefix,
    clientId: `${d.applicationId}-touch`,
    batchSize: 5000,
  });
  await transport.connect([]);
  const stride = Math.max(1, Math.floor(twins / count));
  for (let i = 0; i < count; i++) {
    const data = { temperature: 20 + (i % 100) / 10, humidity: 55.5 };
    transport.publish({
      kind: 'telemetry',
      deviceId: deviceId('rs-', (i * stride) % twins),
      payload: { timestamp: new Date().toISOString(), data },
      retain: false,
    });
    if (i % 5000 === 4999) await transport.waitForPending(20_000);
  }
  await transport.close();
  const admin = benchKafka(ctx.brokers.kafka, 'bench-restore').admin();
  await admin.connect();
  try {
    const topics = inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => t.topic);
    await waitUntil(
      'the touched twins to be consumed',
      async () => (await committedTotal(admin, d.applicationId, topics)) >= count,
      300_000,
      250,
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * restore: twins/s rebuilding a store of `twins` twins from its changelog into an empty STATE_DIR
 * (the service logs `restored stores from changelog` with records and ms), and the time to
 * /readyz. memory: RSS of that instance holding them, right after the restore and once its
 * caches are full (as many twins touched as the caches hold).
 */
export async function restoreBench(ctx: BenchContext): Promise<BenchResult[]> {
  const twins = ctx.sizes.restore.twins;
  const partitions = ctx.sizes.partitions;
  const d = deployment(ctx, 'restore');
  const topic = changelogTopic({ applicationId: d.applicationId });
  const setup: Record<string, string | number> = { ...ctx.versions, partitions, twins };
  try {
    const admin = benchKafka(ctx.brokers.kafka, 'bench-restore').admin();
    await admin.connect();
    await createTopics(admin, [{ topic, compacted: true }], partitions);
    await admin.disconnect();
    const began = Date.now();
    const bytes = await fillChangelog(ctx, topic, twins, partitions);
    setup['changelog'] =
      `${twins} records, ${round(bytes / twins)} B each (${round(bytes / MB)} MB), written in ${round((Date.now() - began) / 1000)} s`;
    setup['state dir'] = 'empty: the store is rebuilt from the changelog';
    printSetup('restore + memory', setup);

    let rss: ReturnType<typeof sampleRss> | undefined;
    const service = await startService(ctx, d, {
      profile: ctx.profile.has('restore'),
      timeoutMs: 600_000,
      onSpawn: (proc) => (rss = sampleRss(proc)),
    });
    const line = service.process.findLine(/restored stores from changelog/);
    const logged = line
      ? (JSON.parse(line.slice(line.indexOf('{'))) as { records?: number; ms?: number })
      : {};
    const held = await scrapeMetric(service.url, 'twinfold_twins', d.token);
    await sleep(3000);
    const afterRestore = service.process.rssBytes() ?? 0;
    const restoredBreakdown = await memoryBreakdown(service.url, d.token);
    const touched = Math.min(twins, partitions * CACHE_PER_PARTITION);
    await fillCaches(ctx, d, twins, touched);
    await sleep(2000);
    const cachesFull = service.process.rssBytes() ?? 0;
    const fullBreakdown = await memoryBreakdown(service.url, d.token);
    rss?.stop();
    const peak = Math.max(rss?.peak() ?? 0, cachesFull);
    await service.process.stop();
    const records = logged.records ?? 0;
    const ms = logged.ms ?? 0;
    const toReady = (service.readyAt - service.startedAt) / 1000;
    ctx.say(
      `restore: ${records} records in ${ms} ms; ready after ${round(toReady)} s; RSS ${round(afterRestore / MB)} MB`,
    );
    return [
      {
        bench: 'restore',
        setup,
        figures: [
          {
            name: 'restore from changelog',
            value: ms > 0 ? round(records / (ms / 1000)) : null,
            unit: 'twins/s',
            target: { op: '>=', value: 100_000 },
            note: `${records} records in ${round(ms / 1000)} s (the service's own log)`,
          },
          {
            name: 'start to /readyz',
            value: round(toReady),
            unit: 's',
            note: `${round(twins / toReady)} twins/s overall; ${held} twins served`,
          },
        ],
        seconds: 0,
      },
      {
        bench: 'memory',
        setup,
        figures: [
          {
            name: `RSS holding ${twins} twins`,
            value: round(afterRestore / MB),
            unit: 'MB',
            target: { op: '<=', value: 400 },
            note: `right after the restore: ${restoredBreakdown}`,
          },
          {
            name: 'RSS with caches full',
            value: round(cachesFull / MB),
            unit: 'MB',
            target: { op: '<=', value: 400 },
            note: `after ${touched} twins were updated: ${fullBreakdown}`,
          },
          { name: 'peak RSS', value: round(peak / MB), unit: 'MB', note: 'sampled every 250 ms from start' },
        ],
        seconds: 0,
      },
    ];
  } finally {
    await d.cleanup();
  }
}
