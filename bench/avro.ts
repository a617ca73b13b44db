import { inputTopics, topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { measureFold, preloadInputs } from './fold';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment } from './support/deployment';
import { benchKafka, createTopics } from './support/kafka';
import { startRegistry } from './support/registry';
import { round } from './stats';

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
