/**
 * `npm run bench`: starts its own Kafka (scripts/kafka.sh) and Mosquitto on free ports (or uses
 * KAFKA_BROKERS / MQTT_URL), runs every benchmark against processes from dist/, prints one table
 * and writes the figures as JSON to bench/results/.
 *
 *   npm run bench                          full sizes, a few minutes per benchmark on 2 cores
 *   npm run bench -- --quick               tiny sizes (or BENCH_QUICK=1): proves each figure is produced
 *   npm run bench -- --only fold,restore   some benchmarks: fold, e2e, hot, api, restore, history, traits, dashboard, ws, twin,
 *                                          thingsboard, hono, kstreams, kafka-clients, scale, avro, behaviour
 *   (avro starts a schema registry, Java 21+; --quick skips it unless named)
 *   (dashboard drives Debian's chromium; --quick leaves it out unless --only names it)
 *   (kstreams, against Kafka Streams, needs Maven; --quick skips it unless named)
 *   (scale starts 6 service processes; --quick skips it unless named)
 *   npm run bench -- --scale 0.2           full shape, a fifth of the devices, records and twins
 *   npm run bench -- --profile fold        the service of those benchmarks runs under --cpu-prof
 *   npm run bench -- --out DIR             results (and logs, profiles) in DIR
 *
 * Exit code 1 when a benchmark failed, or in quick mode when any figure is missing.
 */
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { apiBench } from './api';
import { avroBench } from './avro';
import { dashboardBench } from './dashboard';
import { FULL_SIZES, QUICK_SIZES, scaleSizes, type BenchContext } from './context';
import { latencyAtFixedRate, maxSustainedRate } from './end-to-end';
import { foldBench } from './fold';
import { historyBench } from './history';
import { honoBench } from './hono';
import { hotDeviceBench } from './hot-device';
import { kafkaClientsBench } from './kafka-clients';
import { kstreamsBench } from './kstreams';
import { startLiveStack, type LiveStack } from './live-stack';
import { formatTable, writeResults, type BenchResult } from './report';
import { restoreBench } from './restore';
import { scaleBench } from './scale';
import { traitsBench } from './traits';
import { thingsBoardBench } from './thingsboard';
import { behaviourBench } from './behaviour';
import { twinOutputsBench } from './twin-outputs';
import { startBrokers, type Brokers } from './support/brokers';
import { killAll, ROOT } from './support/process';
import { wsBench } from './ws';

const BENCHES = [
  'fold',
  'kstreams',
  'e2e',
  'hot',
  'api',
  'restore',
  'history',
  'traits',
  'dashboard',
  'ws',
  'twin',
  'thingsboard',
  'hono',
  'kafka-clients',
  'scale',
  'avro',
  'behaviour',
] as const;
type BenchName = (typeof BENCHES)[number];

interface Args {
  quick: boolean;
  scale: number;
  only: Set<BenchName>;
  profile: Set<string>;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    quick: /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? ''),
    scale: 1,
    only: new Set(BENCHES),
    profile: new Set((process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean)),
    out: process.env.BENCH_RESULTS_DIR ?? join(ROOT, 'bench', 'results'),
  };
  const list = (raw: string | undefined, flag: string): string[] => {
    if (!raw) throw new Error(`${flag} needs a value`);
    return raw.split(',').filter(Boolean);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') args.quick = true;
    else if (arg === '--only') {
      const names = list(argv[++i], arg);
      const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
      if (unknown.length > 0)
        throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
      args.only = new Set(names as BenchName[]);
    } else if (arg === '--scale') {
      args.scale = Number(argv[++i]);
      if (!(args.scale > 0)) throw new Error('--scale needs a positive number');
    } else if (arg === '--profile') args.profile = new Set(list(argv[++i], arg));
    else if (arg === '--out') args.out = list(argv[++i], arg).join(',');
    else throw new Error(`unknown argument ${arg}; see the comment at the top of bench/run.ts`);
  }
  if (args.quick && !argv.includes('--only')) args.only.delete('dashboard');
  if (args.quick && !argv.includes('--only')) args.only.delete('kstreams');
  if (args.quick && !argv.includes('--only')) args.only.delete('scale');
  if (args.quick && !argv.includes('--only')) args.only.delete('avro');
  return args;
}

function packageVersion(name: string): string {
  try {
    const file = join(ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function say(msg: string): void {
  process.stdout.write(`[bench] ${msg}\n`);
}

/** Runs one benchmark; a failure becomes a result with the error, so the others still run. */
async function attempt(
  name: string,
  run: () => Promise<BenchResult | BenchResult[]>,
): Promise<BenchResult[]> {
  const began = Date.now();
  try {
    const out = await run();
    const results = Array.isArray(out) ? out : [out];
    for (const r of results) r.seconds = Math.round((Date.now() - began) / 100) / 10;
    return results;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    say(`${name} failed: ${error}`);
    return [{ bench: name, setup: {}, figures: [], seconds: Math.round((Date.now() - began) / 1000), error }];
  }
}

async function liveBenches(ctx: BenchContext, only: Set<BenchName>): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (only.has('e2e') || only.has('hot') || only.has('api')) {
    let stack: LiveStack | undefined;
    results.push(
      ...(await attempt('live stack', async () => {
        stack = await startLiveStack(ctx, 'exactly_once');
        return [];
      })),
    );
    if (stack) {
      const s = stack;
      try {
        if (only.has('e2e'))
          results.push(...(await attempt('e2e exactly_once', () => latencyAtFixedRate(ctx, s, 150))));
        if (only.has('e2e')) results.push(...(await attempt('e2e max rate', () => maxSustainedRate(ctx, s))));
        if (only.has('hot')) results.push(...(await attempt('hot device', () => hotDeviceBench(ctx, s))));
        if (only.has('api')) results.push(...(await attempt('api', () => apiBench(ctx, s))));
      } finally {
        await s.stop();
      }
    }
  }
  if (only.has('e2e')) {
    results.push(
      ...(await attempt('e2e at_least_once', async () => {
        const stack = await startLiveStack(ctx, 'at_least_once');
        try {
          return await latencyAtFixedRate(ctx, stack, 30);
        } finally {
          await stack.stop();
        }
      })),
    );
  }
  return results;
}

function missingFigures(results: BenchResult[]): string[] {
  return results.flatMap((r) => [
    ...(r.error ? [`${r.bench}: ${r.error}`] : []),
    ...r.figures
      .filter((f) => f.value === null && !f.optional)
      .map((f) => `${r.bench}: ${f.name} (${f.note ?? 'no value'})`),
  ]);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runId = `bench-${Date.now().toString(36)}`;
  const workDir = join(tmpdir(), `twinfold-${runId}`);
  const logDir = join(args.out, 'logs', runId);
  mkdirSync(logDir, { recursive: true });
  const profileDir = args.profile.size > 0 ? join(args.out, 'profiles', runId) : undefined;
  const versions = {
    twinfold: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    node: process.version,
    kafkajs: packageVersion('kafkajs'),
    'mqtt.js': packageVersion('mqtt'),
    level: packageVersion('level'),
  };
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 1024 ** 3)} GB, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
  say(
    `${args.quick ? 'QUICK mode (tiny sizes; figures prove it runs, not speed)' : 'full sizes'}; run ${runId}`,
  );
  say(`machine: ${machine}`);
  let brokers: Brokers | undefined;
  let stopping = false;
  const cleanup = async (): Promise<void> => {
    await brokers?.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  const interrupted = (signal: string): void => {
    if (stopping) process.exit(130);
    stopping = true;
    say(`${signal}: stopping every process and the brokers`);
    killAll();
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => interrupted('SIGINT'));
  process.on('SIGTERM', () => interrupted('SIGTERM'));
  const began = Date.now();
  const results: BenchResult[] = [];
  try {
    brokers = await startBrokers(workDir, say);
    const ctx: BenchContext = {
      quick: args.quick,
      sizes: args.quick ? QUICK_SIZES : scaleSizes(FULL_SIZES, args.scale),
      runId,
      brokers,
      workDir,
      logDir,
      profileDir,
      profile: args.profile,
      versions: {
        ...versions,
        kafka: brokers.describe.kafka,
        mqtt: brokers.describe.mqtt,
        ...(process.env.BENCH_SERVICE_ENV ? { 'service env': process.env.BENCH_SERVICE_ENV } : {}),
      },
      say,
    };
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    if (args.only.has('fold')) results.push(...(await attempt('fold', () => foldBench(ctx))));
    if (args.only.has('kstreams')) results.push(...(await attempt('kstreams', () => kstreamsBench(ctx))));
    results.push(...(await liveBenches(ctx, args.only)));
    if (args.only.has('restore')) results.push(...(await attempt('restore', () => restoreBench(ctx))));
    if (args.only.has('history')) results.push(...(await attempt('history', () => historyBench(ctx))));
    if (args.only.has('traits')) results.push(...(await attempt('traits', () => traitsBench(ctx))));
    if (args.only.has('behaviour')) results.push(...(await attempt('behaviour', () => behaviourBench(ctx))));
    if (args.only.has('dashboard')) results.push(...(await attempt('dashboard', () => dashboardBench(ctx))));
    if (args.only.has('ws')) results.push(...(await attempt('websocket fan-out', () => wsBench(ctx))));
    if (args.only.has('twin')) results.push(...(await attempt('twin outputs', () => twinOutputsBench(ctx))));
    if (args.only.has('thingsboard'))
      results.push(...(await attempt('thingsboard', () => thingsBoardBench(ctx))));
    if (args.only.has('hono')) results.push(...(await attempt('hono', () => honoBench(ctx))));
    if (args.only.has('kafka-clients'))
      results.push(...(await attempt('kafka-clients', () => kafkaClientsBench(ctx))));
    if (args.only.has('scale')) results.push(...(await attempt('scale', () => scaleBench(ctx))));
    if (args.only.has('avro')) results.push(...(await attempt('avro', () => avroBench(ctx))));
  } finally {
    await cleanup();
  }
  const seconds = Math.round((Date.now() - began) / 1000);
  process.stdout.write(`\n${formatTable(results)}\n\n`);
  const file = writeResults(
    args.out,
    {
      runId,
      quick: args.quick,
      machine,
      versions,
      seconds,
      command: `npm run bench${args.quick ? ' -- --quick' : ''}`,
    },
    results,
  );
  say(
    `${seconds} s; results in ${file}; process logs in ${logDir}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`,
  );
  const problems = results.some((r) => r.error) || args.quick ? missingFigures(results) : [];
  if (problems.length > 0) {
    say(`missing figures:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
