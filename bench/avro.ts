import { inputTopics, topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { measureFold, preloadInputs } from './fold';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment } from './support/deployment';
import { benchKafka, createTopics } from './support/kafka';
import { startRegistry } from './support/registry';
import { round } from './stats';
import type { TwinDocument } from '../topology/twin';
import { avroTwinEncoder, JSON_TWIN_ENCODER, type TwinEncoder } from '../topology/twin-encoder';

/** A twin of 8 reported fields with metadata, as the simulator's sensors make them. */
function sampleTwin(i: number): TwinDocument {
  const at = new Date(Date.now() - i).toISOString();
  const fields = ['temperature', 'humidity', 'pressure', 'battery', 'rssi', 'co2', 'lux', 'door'];
  const reported = Object.fromEntries(
    fields.map((f, k) => [f, k === 7 ? 'closed' : 20 + ((i * 7 + k) % 50) / 3]),
  );
  const meta = Object.fromEntries(fields.map((f) => [f, { timestamp: at, version: i, unit: 'u' }]));
  return {
    id: `bench-${i}`,
    type: 'sensor',
    lifecycle: 'active',
    connection: { status: 'online', since: at, lastSeen: at },
    reported,
    desired: { interval: 10 },
    delta: { interval: 10 },
    metadata: { reported: meta, desired: { interval: { timestamp: at, version: 1 } } },
    attributes: { location: 'Room A' },
    version: i,
    commands: { pending: 0 },
    createdAt: at,
    updatedAt: at,
  };
}

/** Documents encoded per second by each encoder, in alternating rounds (so load hits both alike). */
function encodeRates(
  encoders: Record<string, TwinEncoder>,
  docs: TwinDocument[],
  rounds: number,
): Record<string, number> {
  const spent: Record<string, number> = {};
  for (let r = 0; r < rounds; r++)
    for (const [name, encoder] of Object.entries(encoders)) {
      const began = process.hrtime.bigint();
      for (const doc of docs) encoder.encode(doc);
      spent[name] = (spent[name] ?? 0) + Number(process.hrtime.bigint() - began) / 1e9;
    }
  return Object.fromEntries(Object.entries(spent).map(([name, s]) => [name, (docs.length * rounds) / s]));
}

/**
 * avro: the processor's fold rate with device.twins written as Avro (TWINS_FORMAT=avro, schema in a
 * real Apicurio registry) and as JSON, over the same preloaded inputs in the same run (two service
 * runs, each with its own application id), and the registry's start-up time (scripts/registry.sh).
 */
export async function avroBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices, records } = ctx.sizes.fold;
  const d = deployment(ctx, 'avro');
  const setup: Record<string, string | number> = {
    ...ctx.versions,
    partitions: ctx.sizes.partitions,
    devices,
    'input records': records,
    guarantee: 'exactly_once',
    registry: 'Apicurio Registry 3.3.3 (scripts/registry.sh, in-memory storage)',
  };
  const figures: Figure[] = [];
  const registry = await startRegistry();
  try {
    figures.push({
      name: 'registry start-up',
      value: registry.startupMs,
      unit: 'ms',
      note: 'until the ccompat API answers',
    });
    const admin = benchKafka(ctx.brokers.kafka, 'bench-avro').admin();
    await admin.connect();
    await createTopics(
      admin,
      inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => ({ topic: t.topic })),
      ctx.sizes.partitions,
    );
    await admin.disconnect();
    await preloadInputs(ctx, d, devices, records, 'avro-');
    printSetup('avro', setup);
    const docs = Array.from({ length: ctx.quick ? 500 : 20_000 }, (_, i) => sampleTwin(i));
    const rates = encodeRates({ json: JSON_TWIN_ENCODER, avro: avroTwinEncoder(1) }, docs, 6);
    for (const [name, rate] of Object.entries(rates))
      figures.push({
        name: `encode twin as ${name}`,
        value: round(rate),
        unit: 'docs/s',
        note: 'in-process, one core',
      });
    const variants: { name: string; env: Record<string, string> }[] = [
      { name: 'json', env: { TWINS_FORMAT: 'json' } },
      { name: 'avro', env: { TWINS_FORMAT: 'avro', SCHEMA_REGISTRY_URL: registry.url } },
    ];
    for (const v of variants) {
      const r = await measureFold(ctx, d, 'exactly_once', records, {
        ...v,
        profile: ctx.profile.has('avro'),
      });
      ctx.say(
        `fold, device.twins as ${v.name}: ${round(r.rate)} msgs/s (${r.consumed} records in ${round(r.seconds)} s)`,
      );
      figures.push({
        name: `fold, twins as ${v.name}`,
        value: round(r.rate),
        unit: 'msgs/s',
        note: `${r.consumed} records, ${round(r.seconds)} s`,
      });
    }
  } finally {
    await d.cleanup();
    await registry.stop();
  }
  return { bench: 'avro', setup, figures, seconds: 0 };
}
