import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext } from './context';
import type { Deployment } from './support/deployment';
import { sleep } from './support/ports';
import { BenchProcess, ROOT } from './support/process';

const APP_DIR = join(ROOT, 'bench', 'kstreams');

/** `mvn -q package` of bench/kstreams (incremental: jars cached in ~/.m2, classes in target/). */
export function buildKafkaStreamsApp(): void {
  const r = spawnSync('mvn', ['-q', '-B', 'package'], { cwd: APP_DIR, encoding: 'utf8' });
  if (r.error)
    throw new Error(`mvn: ${r.error.message} (Maven and a JDK 17+ build the Kafka Streams reference)`);
  if (r.status !== 0)
    throw new Error(`mvn -q package in bench/kstreams failed:\n${(r.stdout + r.stderr).slice(-2000)}`);
}

/** One Kafka Streams run: its guarantee and whether its record cache is on (Kafka Streams' default size). */
export interface StreamsVariant {
  guarantee: 'exactly_once_v2' | 'at_least_once';
  cache: boolean;
}

export interface StreamsFold {
  rate: number;
  folded: number;
  seconds: number;
  cpuUsPerRecord: number;
  applicationId: string;
}

interface Progress {
  folded: number;
  cpuMs: number;
  atMs: number;
}

function progressOf(lines: readonly string[]): Progress[] {
  const out: Progress[] = [];
  for (const line of lines) {
    const m = /^progress folded=(\d+) cpuMs=(\d+) atMs=(\d+)$/.exec(line);
    if (m) out.push({ folded: Number(m[1]), cpuMs: Number(m[2]), atMs: Number(m[3]) });
  }
  return out;
}

/**
 * Runs the reference over `inputs` (kind → topic) into `outputTopic` until it has folded `total`
 * records (or the fold's `maxSeconds` pass), then stops it cleanly (SIGTERM: Kafka Streams commits
 * and closes). The rate is taken from the app's own progress lines, from the last tick before it
 * folded anything to the first tick that saw every record, so JVM start-up and the group join are
 * not counted, nor the commit interval (30 s under at_least_once).
 */
export async function runKafkaStreams(
  ctx: BenchContext,
  d: Deployment,
  variant: StreamsVariant,
  inputs: { kind: string; topic: string }[],
  outputTopic: string,
  total: number,
): Promise<StreamsFold> {
  const label = `${variant.guarantee.replace(/_/g, '-')}-${variant.cache ? 'cache' : 'nocache'}`;
  const applicationId = `${d.applicationId}-ks-${label}`;
  const proc = new BenchProcess(
    `${d.name}-kstreams-${label}`,
    'java',
    [
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${join(APP_DIR, 'target', 'classes')}:${join(APP_DIR, 'target', 'lib', '*')}`,
      'io.twinfold.bench.TwinFoldStreams',
    ],
    {
      BOOTSTRAP_SERVERS: ctx.brokers.kafka.join(','),
      APPLICATION_ID: applicationId,
      INPUT_TOPICS: inputs.map((i) => `${i.kind}=${i.topic}`).join(','),
      OUTPUT_TOPIC: outputTopic,
      STATE_DIR: d.stateDir(`kstreams-${label}`),
      PROCESSING_GUARANTEE: variant.guarantee,
      ...(variant.cache ? {} : { CACHE_MAX_BYTES: '0' }),
    },
    join(ctx.logDir, `${d.name}-kstreams-${label}.log`),
  );
  d.processes.push(proc);
  const deadline = Date.now() + ctx.sizes.fold.maxSeconds * 1000 + 30_000;
  try {
    while ((progressOf(proc.lines).at(-1)?.folded ?? 0) < total && Date.now() < deadline) {
      if (!proc.running) throw new Error(`${proc.name} exited:\n${proc.tail()}`);
      await sleep(200);
    }
  } finally {
    await proc.stop(60_000);
  }
  const ticks = progressOf(proc.lines);
  const lastIdle = ticks.filter((t) => t.folded === 0).at(-1);
  const last = ticks.find((t) => t.folded >= total) ?? ticks.at(-1);
  if (!last || last.folded === 0) throw new Error(`${proc.name}: nothing was folded`);
  const from = lastIdle ?? ticks[0]!;
  const seconds = Math.max(last.atMs - from.atMs, 1) / 1000;
  const folded = last.folded - from.folded;
  return {
    rate: folded / seconds,
    folded: last.folded,
    seconds,
    cpuUsPerRecord: ((last.cpuMs - from.cpuMs) * 1000) / Math.max(folded, 1),
    applicationId,
  };
}
