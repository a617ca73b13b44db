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
 * committed. The rate runs from the moment every instance's routing view is current and names all
 * of them (the group settled) to the last sample; start-up and the joins are left out. When it
 * never settles, or settles with under a tenth left, from the first committed progress.
 */
async function aggregateFold(
  ctx: BenchContext,
  d: Deployment,
  n: number,
  total: number,
): Promise<{
  rate: number;
  consumed: number;
  seconds: number;
  load: number;
  settledAfter: number | undefined;
}> {
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
  let settled: { at: number; committed: number } | undefined;
  try {
    const deadline = Date.now() + ctx.sizes.fold.maxSeconds * 2000;
    for (;;) {
      const committed = await committedTotal(admin, applicationId, topics);
      samples.push({ at: Date.now(), committed });
      if (
        !settled &&
        (await settledOn(
          services.map((s) => s.url),
          n,
        ))
      )
        settled = samples[samples.length - 1];
      if (committed >= total || Date.now() > deadline) break;
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
    await Promise.all(services.map((s) => s.process.stop()));
  }
  const progress = samples.find((s) => s.committed > 0);
  const last = samples[samples.length - 1]!;
  if (!progress || last.committed === 0) throw new Error(`${n} instance(s): nothing was consumed`);
  // From the settled group when it settled with work left, else from the first progress.
  const first = settled && last.committed - settled.committed > total / 10 ? settled : progress;
  const ready = Math.max(...services.map((s) => s.readyAt));
  const from = last.at - first.at >= 1000 ? first : { at: ready, committed: 0 };
  const seconds = (last.at - from.at) / 1000;
  return {
    rate: (last.committed - from.committed) / Math.max(seconds, 0.001),
    consumed: last.committed,
    seconds,
    load: loadavg()[0]!,
    settledAfter: settled ? (settled.at - ready) / 1000 : undefined,
  };
}

/** Whether every instance's routing view is current and names all `n` instances. */
async function settledOn(urls: string[], n: number): Promise<boolean> {
  const views = await Promise.all(
    urls.map(async (url) => {
      const res = await fetch(`${url}/api/v1/system/instances`).catch(() => undefined);
      if (!res?.ok) return undefined;
      const body: unknown = await res.json().catch(() => undefined);
      if (typeof body !== 'object' || body === null || !('data' in body)) return undefined;
      const data: unknown = body.data;
      if (typeof data !== 'object' || data === null || !('state' in data) || !('instances' in data))
        return undefined;
      return { state: data.state, instances: Array.isArray(data.instances) ? data.instances.length : 0 };
    }),
  );
  return views.every((v) => v?.state === 'current' && v.instances === n);
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
        note: `${Math.round((r.rate / one) * 100) / 100}× of 1 instance; ${r.consumed} records, ${round(r.seconds)} s; ${
          r.settledAfter === undefined
            ? 'group never settled'
            : `group settled ${round(r.settledAfter)} s after the last ready`
        }; load ${r.load.toFixed(1)}`,
      });
    }
  } finally {
    await d.cleanup();
  }
  return { bench: 'scale', setup, figures, seconds: 0 };
}
