import { loadavg } from 'node:os';
import { inputTopics, topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { preloadInputs } from './fold';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment, startService, type Deployment } from './support/deployment';
import { benchKafka, committedTotal, createTopics } from './support/kafka';
import { sleep } from './support/ports';
import { round } from './stats';

const INSTANCES = [1, 2, 3] as const;
const GUARANTEE = 'exactly_once';

/**
 * Starts `n` service processes in one group (their own application id, so they fold the inputs
 * from the start) at once, and samples the group's committed offsets until all `total` inputs are
 * committed. The rate runs from the first committed progress to the last sample: start-up and the
 * first join are left out, the rebalances while the instances join are in.
 */
async function aggregateFold(
  ctx: BenchContext,
  d: Deployment,
  n: number,
  total: number,
): Promise<{ rate: number; consumed: number; seconds: number; load: number }> {
  const applicationId = `${d.applicationId}-x${n}`;
  const names = ['a', 'b', 'c'].slice(0, n);
  const services = await Promise.all(
    names.map((name) =>
      startService(ctx, d, {
        instance: `x${n}-${name}`,
        env: { PROCESSING_GUARANTEE: GUARANTEE, TWINFOLD_APPLICATION_ID: applicationId },
        profile: ctx.profile.has('scale'),
      }),
    ),
  );
  const admin = benchKafka(ctx.brokers.kafka, 'bench-scale').admin();
  await admin.connect();
  const topics = inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => t.topic);
  const samples: { at: number; committed: number }[] = [];
  try {
    const deadline = Date.now() + ctx.sizes.fold.maxSeconds * 2000;
    for (;;) {
      const committed = await committedTotal(admin, applicationId, topics);
      samples.push({ at: Date.now(), committed });
      if (committed >= total || Date.now() > deadline) break;
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
    await Promise.all(services.map((s) => s.process.stop()));
  }
  const first = samples.find((s) => s.committed > 0);
  const last = samples[samples.length - 1]!;
  if (!first || last.committed === 0) throw new Error(`${n} instance(s): nothing was consumed`);
  const ready = Math.max(...services.map((s) => s.readyAt));
  const from = last.at - first.at >= 1000 ? first : { at: ready, committed: 0 };
  const seconds = (last.at - from.at) / 1000;
  return {
    rate: (last.committed - from.committed) / Math.max(seconds, 0.001),
    consumed: last.committed,
    seconds,
    load: loadavg()[0]!,
  };
}

/** scale: aggregate fold msgs/s of 1, 2 and 3 service instances on this machine, same inputs. */
export async function scaleBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices, records } = ctx.sizes.fold;
  const d = deployment(ctx, 'scale');
  const setup: Record<string, string | number> = {
    ...ctx.versions,
    partitions: ctx.sizes.partitions,
    devices,
    'input records': records,
    guarantee: GUARANTEE,
    instances: `${INSTANCES.join(', ')} service processes (processor + API) started together in one group, on this machine`,
  };
  const figures: Figure[] = [];
  try {
    const admin = benchKafka(ctx.brokers.kafka, 'bench-scale').admin();
    await admin.connect();
    await createTopics(
      admin,
      inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => ({ topic: t.topic })),
      ctx.sizes.partitions,
    );
    await admin.disconnect();
    const began = Date.now();
    await preloadInputs(ctx, d, devices, records, 'scale-');
    setup.preload = `${records} records in ${round((Date.now() - began) / 1000)} s`;
    printSetup('scale', setup);
    let one: number | undefined;
    for (const n of INSTANCES) {
      const r = await aggregateFold(ctx, d, n, records);
      one ??= r.rate;
      ctx.say(
        `scale ${n} instance(s): ${round(r.rate)} msgs/s (${r.consumed} records in ${round(r.seconds)} s)`,
      );
      figures.push({
        name: `fold ${GUARANTEE}, ${n} instance${n > 1 ? 's' : ''}`,
        value: round(r.rate),
        unit: 'msgs/s',
        note: `${Math.round((r.rate / one) * 100) / 100}× of 1 instance; ${r.consumed} records, ${round(r.seconds)} s; load ${r.load.toFixed(1)}`,
      });
    }
  } finally {
    await d.cleanup();
  }
  return { bench: 'scale', setup, figures, seconds: 0 };
}
