import { Fleet } from '../scripts/simulator/fleet';
import { KafkaTransport } from '../scripts/simulator/kafka-transport';
import { Simulator } from '../scripts/simulator/simulator';
import { fixedRateGets, forwardedGets, maxRateGets, type GetLatency } from './api-latency';
import type { BenchContext } from './context';
import type { LiveStack } from './live-stack';
import { printSetup, type BenchResult, type Figure } from './report';
import { scrapeEventLoopDelay } from './support/event-loop';
import { waitUntil } from './support/ports';
import { round, summarize } from './stats';

const TELEMETRY_ONLY = { telemetry: 1, state: 0, status: 0, error: 0 };

/** Gives `count` devices a twin (one telemetry record each, straight into Kafka) and waits for them. */
async function seedTwins(ctx: BenchContext, stack: LiveStack, count: number): Promise<string[]> {
  const fleet = new Fleet({
    devices: count,
    idPrefix: 'api-',
    seed: 11,
    mix: TELEMETRY_ONLY,
    anomalyRate: 0,
    offlineRate: 0,
    offlineSeconds: [10, 60],
    numbered: false,
  });
  const seen = new Set<string>();
  const unlisten = stack.twins.listen((r) => {
    if (r.key.startsWith('api-')) seen.add(r.key);
  });
  try {
    const transport = new KafkaTransport({
      brokers: ctx.brokers.kafka,
      topicPrefix: stack.d.prefix,
      clientId: `${stack.d.applicationId}-api-seed`,
      batchSize: 5000,
    });
    await transport.connect([]);
    for (let i = 0; i < count; i++) transport.publish(fleet.next(Date.now())!);
    await transport.close();
    await waitUntil(`${count} api twins`, () => seen.size >= count, 120_000, 50);
    return fleet.ids();
  } finally {
    unlisten();
  }
}

async function listLatency(
  stack: LiveStack,
  requests: number,
): Promise<{ samples: number[]; count: number }> {
  const samples: number[] = [];
  let count = 0;
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    const body = await stack.http.json<{ data: { count: number } }>('/api/v1/twins?limit=1000');
    samples.push(performance.now() - t);
    count = body.data.count;
  }
  return { samples, count };
}

function getFigures(label: string, r: GetLatency, p99Target?: number): Figure[] {
  const errors = `${r.errors > 0 ? `, ${r.errors} errors` : ''}${r.shed > 0 ? `, ${r.shed} shed (512 open)` : ''}`;
  return [
    {
      name: `${label} p50`,
      value: r.latency.p50,
      unit: 'ms',
      note: `${round(r.rate)} req/s achieved${errors}`,
    },
    {
      name: `${label} p99`,
      value: r.latency.p99,
      unit: 'ms',
      ...(p99Target === undefined ? {} : { target: { op: '<=' as const, value: p99Target } }),
    },
  ];
}

/**
 * API: GET /twins/{id} latency at a fixed rate and the highest closed-loop rate, then the latency
 * of listing 1000 twins, all while the simulator ingests straight into Kafka. One instance, so
 * every GET is local; forwarded GETs are measured by bench/api-latency.ts once routing exists.
 */
export async function apiBench(ctx: BenchContext, stack: LiveStack): Promise<BenchResult> {
  const a = ctx.sizes.api;
  const setup = {
    ...ctx.versions,
    guarantee: stack.guarantee,
    twins: `${a.twins} seeded (plus those of the earlier live benchmarks)`,
    ingest: `${a.ingestRate} msgs/s from the simulator, straight into Kafka`,
    'fixed rate': `${a.getRate} GET/s for ${a.seconds} s, open loop, latency from the due time`,
    'max rate': `${a.concurrency} concurrent keep-alive clients for ${a.seconds} s`,
    list: `${a.listRequests} x GET /twins?limit=1000, one at a time`,
    client: 'node:http keep-alive, in the benchmark process (same 2 cores)',
  };
  printSetup('api', setup);
  const ids = await seedTwins(ctx, stack, a.twins);
  const ingest = new Simulator({
    devices: a.twins,
    idPrefix: 'api-',
    seed: 12,
    mix: { telemetry: 0.95, state: 0.03, status: 0.02, error: 0 },
    anomalyRate: 0.002,
    offlineRate: 0,
    offlineSeconds: [10, 60],
    numbered: false,
    rate: a.ingestRate,
    transport: 'kafka',
    mqttUrl: ctx.brokers.mqttUrl,
    mqttRoot: stack.d.mqttRoot,
    connections: 1,
    qos: 1,
    listen: false,
    kafkaBrokers: ctx.brokers.kafka,
    topicPrefix: stack.d.prefix,
    reconnectRate: 0,
    announce: false,
    clientId: `${stack.d.applicationId}-api-ingest`,
  });
  await ingest.start();
  try {
    await scrapeEventLoopDelay(stack.http); // starts the window: the service resets its histogram
    const fixed = await fixedRateGets(stack.http, ids, a.getRate, a.seconds);
    const loop = await scrapeEventLoopDelay(stack.http);
    const max = await maxRateGets(stack.http, ids, a.concurrency, a.seconds);
    const forwarded = await forwardedGets(ctx, stack, ids);
    const list = await listLatency(stack, a.listRequests);
    const listed = summarize(list.samples);
    ctx.say(
      `api: GET p99 ${fixed.latency.p99} ms at ${round(fixed.rate)}/s; max ${round(max.rate)} req/s; list p99 ${listed.p99} ms`,
    );
    const figures: Figure[] = [
      ...getFigures(`GET twin at ${a.getRate}/s`, fixed, 10),
      {
        name: `event-loop delay during GETs at ${a.getRate}/s, p99`,
        value: loop?.p99 ?? null,
        unit: 'ms',
        note: loop
          ? `p50 ${loop.p50} ms, max ${loop.max} ms; the service's own monitorEventLoopDelay, beyond its 10 ms sampling`
          : 'the service exported no event-loop gauges',
      },
      {
        name: 'GET twin max rate',
        value: round(max.rate),
        unit: 'req/s',
        note: `p50 ${max.latency.p50} ms, p99 ${max.latency.p99} ms at ${a.concurrency} concurrent`,
      },
      ...(forwarded
        ? getFigures(`GET twin forwarded at ${a.getRate}/s`, forwarded)
        : [
            {
              name: 'GET twin forwarded p99',
              value: null,
              unit: 'ms',
              note: 'not measured yet: needs cross-instance routing (bench/api-latency.ts)',
              optional: true,
            },
          ]),
      { name: 'list 1000 twins p50', value: listed.p50, unit: 'ms', note: `${list.count} twins per page` },
      { name: 'list 1000 twins p99', value: listed.p99, unit: 'ms', target: { op: '<=', value: 200 } },
    ];
    return { bench: 'api', setup, figures, seconds: 0 };
  } finally {
    await ingest.stop();
  }
}
