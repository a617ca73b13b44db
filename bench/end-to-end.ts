import { DEFAULT_MIX } from '../scripts/simulator/fleet';
import { Simulator, type SimulatorOptions } from '../scripts/simulator/simulator';
import type { BenchContext } from './context';
import { reportedSeq, type LiveStack } from './live-stack';
import { printSetup, type BenchResult, type Figure } from './report';
import { RestProber, type SentMessage } from './rest-probe';
import { SeqTracker } from './seq-tracker';
import { scrapeMetric } from './support/deployment';
import { sleep } from './support/ports';
import { round, summarize } from './stats';

/** A step of the max-rate search passes when the publisher kept up... */
const KEPT_UP = 0.95;
/** ...and the step's p99 stayed under this (a sustained rate means a bounded latency)... */
const P99_LIMIT_MS = 1000;
/**
 * ...and stayed flat: the p99 of the messages sent in the step's last quarter is at most this
 * factor of the first quarter's (plus FLAT_SLACK_MS, so a 20 ms p99 may become 80 ms)...
 */
const FLAT_FACTOR = 1.5;
const FLAT_SLACK_MS = 50;
/*
 * ...and the lag came back to zero within the step: at its end, every message sent more than
 * P99_LIMIT_MS before was seen...
 */
/** ...and everything was seen within this long after the step. */
const DRAIN_MS = 60_000;

function simulatorOptions(ctx: BenchContext, stack: LiveStack, name: string, rate: number): SimulatorOptions {
  const s = ctx.sizes.endToEnd;
  return {
    devices: s.devices,
    idPrefix: `${name}-`,
    seed: 7,
    mix: DEFAULT_MIX,
    anomalyRate: 0.002,
    offlineRate: 0,
    offlineSeconds: [10, 60],
    numbered: true,
    rate,
    transport: 'mqtt',
    mqttUrl: ctx.brokers.mqttUrl,
    mqttRoot: stack.d.mqttRoot,
    connections: s.connections,
    qos: 1,
    listen: false,
    kafkaBrokers: ctx.brokers.kafka,
    topicPrefix: stack.d.prefix,
    reconnectRate: 0,
    announce: false,
    clientId: `${stack.d.applicationId}-${name}-sim`,
  };
}

const COMMIT_METRIC = 'twinfold_processor_commit_duration_seconds';

/** The processor's commits so far (count, total seconds), from its own histogram. */
async function commits(stack: LiveStack): Promise<{ count: number; seconds: number }> {
  const { url } = stack.service;
  const count = await scrapeMetric(url, `${COMMIT_METRIC}_count`, stack.d.token).catch(() => 0);
  const seconds = await scrapeMetric(url, `${COMMIT_METRIC}_sum`, stack.d.token).catch(() => 0);
  return { count, seconds };
}

/** A simulator whose numbered telemetry feeds a tracker that device.twins settles. */
async function trackedSimulator(
  ctx: BenchContext,
  stack: LiveStack,
  name: string,
  rate: number,
): Promise<{
  sim: Simulator;
  tracker: SeqTracker;
  latest: () => SentMessage | undefined;
  close: () => void;
}> {
  const tracker = new SeqTracker();
  let last: SentMessage | undefined;
  const unlisten = stack.twins.listen((r) => {
    const seq = reportedSeq(r.value);
    if (seq !== undefined) tracker.seen(r.key, seq, r.receivedAt);
  });
  const sim = new Simulator(simulatorOptions(ctx, stack, name, rate), (m, at) => {
    if (m.seq === undefined) return;
    tracker.sent(m.deviceId, m.seq, at);
    last = { deviceId: m.deviceId, seq: m.seq, at };
  });
  await sim.start();
  return { sim, tracker, latest: () => last, close: unlisten };
}

async function drain(tracker: SeqTracker, beforeMs: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (tracker.unsettledBefore(beforeMs) > 0 && Date.now() < deadline) await sleep(50);
  return tracker.unsettledBefore(beforeMs);
}

function setupOf(
  ctx: BenchContext,
  stack: LiveStack,
  extra: Record<string, string | number>,
): Record<string, string | number> {
  const s = ctx.sizes.endToEnd;
  return {
    ...ctx.versions,
    guarantee: stack.guarantee,
    partitions: ctx.sizes.partitions,
    pipeline: 'simulator -MQTT QoS 1-> Mosquitto -> bridge -> Kafka -> service -> device.twins / REST',
    devices: `${s.devices} over ${s.connections} MQTT connections`,
    'message size': '~110 B telemetry JSON (simulator default mix)',
    ...extra,
  };
}

/**
 * end to end: MQTT publish -> twin visible in device.twins (every numbered message) and over
 * REST (a few probes a second), p50/p95/p99 at a fixed rate, after a warm-up.
 */
export async function latencyAtFixedRate(
  ctx: BenchContext,
  stack: LiveStack,
  target: number,
): Promise<BenchResult> {
  const s = ctx.sizes.endToEnd;
  const setup = setupOf(ctx, stack, {
    rate: `${s.rate} msgs/s`,
    duration: `${s.warmupSeconds} s warm-up, then ${s.seconds} s measured`,
    'REST probes': `${s.probesPerSecond}/s, each polling GET /twins/{id} every 2 ms`,
  });
  const bench = `e2e ${stack.guarantee}`;
  printSetup(bench, setup);
  const { sim, tracker, latest, close } = await trackedSimulator(ctx, stack, 'e2e', s.rate);
  const prober = new RestProber(stack.http, latest, s.probesPerSecond);
  try {
    await sleep(s.warmupSeconds * 1000);
    const before = await commits(stack);
    const from = Date.now();
    const published = sim.stats().transport.published;
    tracker.record(from);
    prober.start();
    await sleep(s.seconds * 1000);
    const to = Date.now();
    tracker.close(to);
    const after = await commits(stack);
    const commitCount = after.count - before.count;
    const commitMs = commitCount > 0 ? round(((after.seconds - before.seconds) / commitCount) * 1000) : null;
    const achieved = (sim.stats().transport.published - published) / ((to - from) / 1000);
    sim.pause();
    await prober.stop();
    const lost = await drain(tracker, to, 15_000);
    const twins = summarize(tracker.latencies);
    const rest = summarize(prober.samples);
    ctx.say(
      `${bench}: device.twins p50 ${twins.p50} p99 ${twins.p99} ms; REST p50 ${rest.p50} p99 ${rest.p99} ms`,
    );
    const ms = (name: string, value: number | null, withTarget: boolean, note?: string): Figure => ({
      name,
      value,
      unit: 'ms',
      ...(withTarget ? { target: { op: '<=' as const, value: target } } : {}),
      ...(note ? { note } : {}),
    });
    const at = `at ${round(achieved)} msgs/s`;
    return {
      bench,
      setup,
      figures: [
        ms('MQTT -> device.twins p50', twins.p50, false, `${twins.count} messages ${at}`),
        ms('MQTT -> device.twins p95', twins.p95, false),
        ms('MQTT -> device.twins p99', twins.p99, true, lost > 0 ? `${lost} never seen` : undefined),
        ms('MQTT -> REST p50', rest.p50, false, `${rest.count} probes`),
        ms('MQTT -> REST p95', rest.p95, false),
        ms(
          'MQTT -> REST p99',
          rest.p99,
          true,
          prober.timeouts > 0 ? `${prober.timeouts} probes timed out` : undefined,
        ),
        {
          ...ms(
            'processor commit, mean',
            commitMs,
            false,
            `${round(commitCount / ((to - from) / 1000))} commits/s`,
          ),
          optional: true,
        },
      ],
      seconds: 0,
    };
  } finally {
    await prober.stop();
    await sim.stop();
    close();
  }
}

interface Step {
  rate: number;
  achieved: number;
  /** p99 of the messages sent in the first and the last quarter of the step. */
  firstQuarterP99: number | null;
  lastQuarterP99: number | null;
  /** Messages of the step still unseen when it ended, and after DRAIN_MS more. */
  unseenAtEnd: number;
  neverSeen: number;
  p50: number | null;
  p99: number | null;
  pass: boolean;
}

/** One step: `rate` for `seconds` from an empty pipeline, then a pause until it has drained. */
async function runStep(sim: Simulator, tracker: SeqTracker, rate: number, seconds: number): Promise<Step> {
  await drain(tracker, Date.now(), DRAIN_MS);
  const from = Date.now();
  const published = sim.stats().transport.published;
  tracker.record(from);
  sim.setRate(rate);
  await sleep(seconds * 1000);
  const to = Date.now();
  tracker.close(to);
  const sent = sim.stats().transport.published - published;
  // Lag back to zero within the step: nothing sent before the last P99_LIMIT_MS is still unseen.
  const unseenAtEnd = tracker.unsettledBefore(to - P99_LIMIT_MS, from);
  sim.pause();
  const neverSeen = await drain(tracker, to, DRAIN_MS);
  const { p50, p99 } = summarize(tracker.latencies);
  const quarter = (to - from) / 4;
  const firstQuarterP99 = summarize(tracker.latenciesSentBetween(from, from + quarter)).p99;
  const lastQuarterP99 = summarize(tracker.latenciesSentBetween(to - quarter, to)).p99;
  const achieved = sent / ((to - from) / 1000);
  const flat =
    firstQuarterP99 !== null &&
    lastQuarterP99 !== null &&
    lastQuarterP99 <= firstQuarterP99 * FLAT_FACTOR + FLAT_SLACK_MS;
  const pass =
    achieved >= KEPT_UP * rate &&
    p99 !== null &&
    p99 <= P99_LIMIT_MS &&
    flat &&
    unseenAtEnd === 0 &&
    neverSeen === 0;
  return {
    rate,
    achieved: round(achieved),
    firstQuarterP99,
    lastQuarterP99,
    unseenAtEnd,
    neverSeen,
    p50,
    p99,
    pass,
  };
}

/**
 * The highest offered rate the pipeline keeps up with (lag does not grow): steps of
 * `stepSeconds`, doubling from `firstStep` until one fails (halving instead when the first
 * fails), then one bisection. A step passes when the publisher achieved 95% of the rate, the
 * step's p99 stayed under 1 s and flat (last quarter against first), the lag was back to zero by
 * its end (nothing sent more than 1 s before the end unseen), and all were seen after it.
 */
export async function maxSustainedRate(ctx: BenchContext, stack: LiveStack): Promise<BenchResult> {
  const s = ctx.sizes.endToEnd;
  const setup = setupOf(ctx, stack, {
    search: `${s.stepSeconds} s steps from ${s.firstStep} msgs/s, doubling to at most ${s.maxStep} (or halving), then one bisection`,
    'pass when': `publisher >= ${KEPT_UP * 100}% of the rate, p99 <= ${P99_LIMIT_MS} ms, last-quarter p99 <= ${FLAT_FACTOR} x first-quarter p99 + ${FLAT_SLACK_MS} ms, nothing sent > ${P99_LIMIT_MS} ms before the step's end unseen at its end, all seen within ${DRAIN_MS / 1000} s`,
  });
  const bench = `e2e max rate (${stack.guarantee})`;
  printSetup(bench, setup);
  const { sim, tracker, close } = await trackedSimulator(ctx, stack, 'e2e', s.firstStep);
  sim.pause();
  const steps: Step[] = [];
  try {
    const step = async (rate: number): Promise<Step> => {
      const result = await runStep(sim, tracker, rate, s.stepSeconds);
      steps.push(result);
      ctx.say(`${bench}: ${JSON.stringify(result)}`);
      return result;
    };
    // Up by doubling while steps pass; when the first one fails, down by halving (three times at most).
    let rate = s.firstStep;
    if ((await step(rate)).pass) {
      while (rate * 2 <= s.maxStep && (await step((rate *= 2))).pass);
    } else {
      for (let i = 0; i < 3 && !(await step((rate = Math.round(rate / 2)))).pass; i++);
    }
    const passed = (): Step | undefined => steps.filter((x) => x.pass).sort((a, b) => b.rate - a.rate)[0];
    const firstFailAbove = (best: Step | undefined): Step | undefined =>
      steps.filter((x) => !x.pass && (!best || x.rate > best.rate)).sort((a, b) => a.rate - b.rate)[0];
    const best = passed();
    const above = firstFailAbove(best);
    if (best && above) await step(Math.round((best.rate + above.rate) / 2));
    const top = passed();
    const failed = firstFailAbove(top);
    const why = failed
      ? `limit at ${failed.rate}: publisher ${failed.achieved}/s, ${failed.unseenAtEnd} unseen at the end, p99 ${failed.p99} ms (quarters ${failed.firstQuarterP99} -> ${failed.lastQuarterP99})`
      : `every step passed up to ${s.maxStep}`;
    return {
      bench,
      setup: { ...setup, steps: steps.map((x) => `${x.rate}${x.pass ? '' : '(fail)'}`).join(' ') },
      figures: [
        {
          name: `highest rate with p99 <= ${P99_LIMIT_MS} ms, flat, lag back to 0`,
          value: top ? top.rate : null,
          unit: 'msgs/s',
          target: { op: '>=', value: 1000 },
          note: top ? `p99 ${top.p99} ms there; ${why}` : `no step passed; ${why}`,
        },
      ],
      seconds: 0,
    };
  } finally {
    await sim.stop();
    close();
  }
}
