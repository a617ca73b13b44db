import { inputTopics, topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { measureFold, preloadInputs } from './fold';
import { buildKafkaStreamsApp, runKafkaStreams, type StreamsVariant } from './kstreams-app';
import { logEnds, writesSince, type Writes } from './kstreams-writes';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment } from './support/deployment';
import { benchKafka, createTopics } from './support/kafka';
import { round } from './stats';

/** The kinds the reference folds (the preload writes no others). */
const FOLDED_KINDS = new Set(['telemetry', 'state', 'status', 'error']);

const GUARANTEES = [
  { twinfold: 'exactly_once', streams: 'exactly_once_v2' },
  { twinfold: 'at_least_once', streams: 'at_least_once' },
] as const;

function writesFigure(name: string, w: Writes): Figure {
  return {
    name: `${name} writes`,
    value: round(w.bytesPerInput),
    unit: 'B/input',
    note: `${round(w.recordsPerInput)} records/input (${w.detail})`,
  };
}

/**
 * kstreams: twinfold's fold against a Kafka Streams application doing the same per-field fold
 * (bench/kstreams, RocksDB store) over the same preloaded inputs on the same broker, for both
 * guarantees, Kafka Streams with its record cache on (default size) and off (an output per input).
 */
export async function kstreamsBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices, records } = ctx.sizes.fold;
  const d = deployment(ctx, 'kstreams');
  const names = topicNames({ topicPrefix: d.prefix });
  const inputs = inputTopics(names).filter((t) => FOLDED_KINDS.has(t.kind));
  const setup: Record<string, string | number> = {
    ...ctx.versions,
    'kafka streams': 'bench/kstreams: kafka-streams 4.2.1, rocksdbjni 10.1.3, 1 stream thread, JVM defaults',
    partitions: ctx.sizes.partitions,
    devices,
    'input records': records,
    writes:
      'records = growth of the written topics (commit markers included); bytes = records x sampled key+value+headers size',
  };
  const figures: Figure[] = [];
  const kafka = benchKafka(ctx.brokers.kafka, 'bench-kstreams');
  const admin = kafka.admin();
  await admin.connect();
  try {
    buildKafkaStreamsApp();
    await createTopics(
      admin,
      inputTopics(names).map((t) => ({ topic: t.topic })),
      ctx.sizes.partitions,
    );
    const began = Date.now();
    await preloadInputs(ctx, d, devices, records, 'ks-');
    setup.preload = `${records} records in ${round((Date.now() - began) / 1000)} s`;
    printSetup('kstreams', setup);
    const notOurs = new Set(inputTopics(names).map((t) => t.topic));
    const ours = (t: string): boolean =>
      (t.startsWith(d.prefix) || t.startsWith(d.applicationId)) &&
      !notOurs.has(t) &&
      !t.startsWith(`${d.prefix}ks.`) &&
      !t.startsWith(`${d.applicationId}-ks-`);
    const twinfoldTopics = async (): Promise<string[]> => (await admin.listTopics()).filter(ours);
    for (const { twinfold, streams } of GUARANTEES) {
      const before = await logEnds(admin, await twinfoldTopics());
      const folded = await measureFold(ctx, d, twinfold, records);
      const ourWrites = await writesSince(kafka, admin, before, await twinfoldTopics(), records);
      ctx.say(`kstreams: twinfold ${twinfold} ${round(folded.rate)} msgs/s`);
      figures.push(
        {
          name: `twinfold ${twinfold}`,
          value: round(folded.rate),
          unit: 'msgs/s',
          note: `${folded.consumed} records${folded.cpuUsPerRecord === undefined ? '' : `, ${round(folded.cpuUsPerRecord)} us CPU/record`}`,
        },
        writesFigure(`twinfold ${twinfold}`, ourWrites),
      );
      for (const cache of [true, false]) {
        const variant: StreamsVariant = { guarantee: streams, cache };
        const label = `kafka streams ${streams} cache ${cache ? 'on' : 'off'}`;
        const output = `${d.prefix}ks.${streams}.${cache ? 'cache' : 'nocache'}.twins`;
        await createTopics(admin, [{ topic: output }], ctx.sizes.partitions);
        const theirs = await runKafkaStreams(ctx, d, variant, inputs, output, records);
        const written = [output, `${theirs.applicationId}-twin-store-changelog`];
        const theirWrites = await writesSince(kafka, admin, new Map(), written, records);
        ctx.say(`kstreams: ${label} ${round(theirs.rate)} msgs/s`);
        figures.push(
          {
            name: label,
            value: round(theirs.rate),
            unit: 'msgs/s',
            note: `${theirs.folded} records, ${round(theirs.seconds)} s, ${round(theirs.cpuUsPerRecord)} us CPU/record`,
          },
          writesFigure(label, theirWrites),
          {
            name: `twinfold / kafka streams ${twinfold}, cache ${cache ? 'on' : 'off'}`,
            value: round(folded.rate / theirs.rate),
            unit: 'x',
            ...(cache ? { target: { op: '>=', value: 1.5 } } : {}),
          },
        );
      }
    }
  } finally {
    await admin.disconnect();
    await d.cleanup();
  }
  return { bench: 'kstreams', setup, figures, seconds: 0 };
}
