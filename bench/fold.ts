import { Fleet, DEFAULT_MIX } from '../scripts/simulator/fleet';
import { KafkaTransport } from '../scripts/simulator/kafka-transport';
import { payloadBytes } from '../scripts/simulator/message';
import { inputTopics, topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment, startService, type Deployment } from './support/deployment';
import { benchKafka, committedTotal, createTopics } from './support/kafka';
import { sleep } from './support/ports';
import { round } from './stats';

const GUARANTEES = [
  { guarantee: 'exactly_once', target: 30_000 },
  { guarantee: 'at_least_once', target: 50_000 },
] as const;

/**
 * Writes `records` simulator messages over `devices` devices into the input topics, as the bridge
 * would (round-robin over the fleet, so the first pass creates every twin). Returns the mean
 * payload size in bytes.
 */
export async function preloadInputs(
  ctx: BenchContext,
  d: Deployment,
  devices: number,
  records: number,
  idPrefix: string,
): Promise<number> {
  const fleet = new Fleet({
    devices,
    idPrefix,
    seed: 42,
    mix: DEFAULT_MIX,
    anomalyRate: 0.002,
    offlineRate: 0,
    offlineSeconds: [10, 60],
    numbered: false,
  });
  const transport = new KafkaTransport({
    brokers: ctx.brokers.kafka,
    topicPrefix: d.prefix,
    clientId: `${d.applicationId}-preload`,
    batchSize: 5000,
  });
  await transport.connect([]);
  let bytes = 0;
  for (let i = 0; i < records; i++) {
    const message = fleet.next(Date.now())!;
    bytes += payloadBytes(message).length;
    transport.publish(message);
    if (i % 5000 === 4999) await transport.waitForPending(40_000);
  }
  await transport.close();
  if (transport.counts.failed > 0) throw new Error(`${transport.counts.failed} preload records failed`);
  return bytes / records;
}

/**
 * Runs one service over the preloaded inputs and samples the group's committed offsets until all
 * are consumed (or `maxSeconds` pass). The rate is taken from the first committed progress to the
 * last sample, so start-up and the group join are not counted.
 */
export async function measureFold(
  ctx: BenchContext,
  d: Deployment,
  guarantee: string,
  total: number,
  /** A variant of the service (own application id and state dir): its name and settings. */
  variant: { name: string; env: Record<string, string>; profile: boolean } = {
    name: guarantee,
    env: {},
    profile: ctx.profile.has('fold'),
  },
): Promise<{ rate: number; consumed: number; seconds: number; cpuUsPerRecord: number | undefined }> {
  const applicationId = `${d.applicationId}-${variant.name.replace(/_/g, '-')}`;
  const service = await startService(ctx, d, {
    instance: variant.name,
    env: { PROCESSING_GUARANTEE: guarantee, TWINFOLD_APPLICATION_ID: applicationId, ...variant.env },
    profile: variant.profile,
  });
  const admin = benchKafka(ctx.brokers.kafka, 'bench-fold').admin();
  await admin.connect();
  const topics = inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => t.topic);
  const samples: { at: number; committed: number; cpuMs: number | undefined }[] = [];
  try {
    const deadline = Date.now() + ctx.sizes.fold.maxSeconds * 1000;
    for (;;) {
      const committed = await committedTotal(admin, applicationId, topics);
      samples.push({ at: Date.now(), committed, cpuMs: service.process.cpuMs() });
      if (committed >= total || Date.now() > deadline) break;
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
    await service.process.stop();
  }
  const first = samples.find((s) => s.committed > 0);
  const last = samples[samples.length - 1]!;
  if (!first || last.committed === 0) throw new Error(`${guarantee}: nothing was consumed`);
  // With too few samples (quick mode), measure from readiness instead.
  const from = last.at - first.at >= 1000 ? first : { at: service.readyAt, committed: 0, cpuMs: undefined };
  const seconds = (last.at - from.at) / 1000;
  const cpuMs = from.cpuMs !== undefined && last.cpuMs !== undefined ? last.cpuMs - from.cpuMs : undefined;
  return {
    rate: (last.committed - from.committed) / Math.max(seconds, 0.001),
    consumed: last.committed,
    seconds,
    // The service's CPU per committed record: what the load of a shared machine changes least.
    cpuUsPerRecord:
      cpuMs === undefined ? undefined : (cpuMs * 1000) / Math.max(last.committed - from.committed, 1),
  };
}

/** fold: sustained msgs/s of the processor alone over preloaded inputs, per processing guarantee. */
export async function foldBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices, records } = ctx.sizes.fold;
  const d = deployment(ctx, 'fold');
  const setup: Record<string, string | number> = {
    ...ctx.versions,
    partitions: ctx.sizes.partitions,
    devices,
    'input records': records,
    mix: Object.entries(DEFAULT_MIX)
      .map(([k, v]) => `${k} ${v * 100}%`)
      .join(', '),
    instances: '1 service process (processor + API), no bridge, no other load',
    'cache per partition': 'CACHE_MAX_ENTRIES default (20000)',
  };
  const figures: Figure[] = [];
  try {
    const admin = benchKafka(ctx.brokers.kafka, 'bench-fold').admin();
    await admin.connect();
    await createTopics(
      admin,
      inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => ({ topic: t.topic })),
      ctx.sizes.partitions,
    );
    await admin.disconnect();
    const began = Date.now();
    const size = await preloadInputs(ctx, d, devices, records, 'fold-');
    setup['message size'] = `${round(size)} B mean payload (+ the bridge's 5 MQTT headers)`;
    setup.preload = `${records} records in ${round((Date.now() - began) / 1000)} s`;
    printSetup('fold', setup);
    for (const { guarantee, target } of GUARANTEES) {
      const r = await measureFold(ctx, d, guarantee, records);
      const cpu = r.cpuUsPerRecord === undefined ? '' : `, ${round(r.cpuUsPerRecord)} us CPU/record`;
      ctx.say(
        `fold ${guarantee}: ${round(r.rate)} msgs/s (${r.consumed} records in ${round(r.seconds)} s${cpu})`,
      );
      figures.push({
        name: `fold ${guarantee}`,
        value: round(r.rate),
        unit: 'msgs/s',
        target: { op: '>=', value: target },
        note: `${r.consumed} records, ${round(r.seconds)} s${cpu}`,
      });
    }
  } finally {
    await d.cleanup();
  }
  return { bench: 'fold', setup, figures, seconds: 0 };
}
