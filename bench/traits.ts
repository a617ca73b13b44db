import { DEFAULT_MIX, Fleet } from '../scripts/simulator/fleet';
import { payloadBytes } from '../scripts/simulator/message';
import { DEFAULT_JSON_LIMITS } from '../shared/safe-json';
import { DEFAULT_PROFILE } from '../topology/traits';
import {
  decodeInput,
  DEFAULT_FOLD_CONFIG,
  foldTwin,
  toTwinDocument,
  type FoldConfig,
  type InputKind,
  type StoredTwin,
} from '../topology/twin';
import { encodeWithinLimit } from '../topology/twin-codec';
import type { BenchContext } from './context';
import { measureFold, preloadInputs } from './fold';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment } from './support/deployment';
import { benchKafka, createTopics } from './support/kafka';
import { inputTopics, topicNames } from '../shared/topics';
import { round } from './stats';
import {
  measureDetection,
  simulatorProfiles,
  type DetectionRun,
  type DetectionResult,
} from './traits-detection';

/** `traits`: the fold's cost with traits on against off, and the alerts' detection quality. */
const SIZES = {
  full: {
    devices: 2000,
    messages: 60_000,
    rounds: 3,
    service: { devices: 5000, records: 60_000 },
    detection: { devices: 200, hours: 6 },
  },
  quick: {
    devices: 50,
    messages: 5000,
    rounds: 1,
    service: { devices: 100, records: 2000 },
    detection: { devices: 12, hours: 1 },
  },
};
const EVERY_MS = 10_000;

interface BenchRecord {
  kind: InputKind;
  key: string;
  value: Buffer;
  timestampMs: number;
}

/** Simulator messages as the bridge writes them: each device speaks every 10 s, in turn. */
function records(devices: number, count: number): BenchRecord[] {
  const fleet = new Fleet({
    devices,
    idPrefix: 'tr-',
    seed: 42,
    mix: DEFAULT_MIX,
    anomalyRate: 0.002,
    offlineRate: 0,
    offlineSeconds: [10, 60],
    numbered: false,
  });
  const t0 = Date.UTC(2026, 0, 1);
  const out: BenchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const timestampMs = t0 + Math.floor((i * EVERY_MS) / devices);
    const m = fleet.next(timestampMs)!;
    out.push({ kind: m.kind, key: m.deviceId, value: payloadBytes(m), timestampMs });
  }
  return out;
}

/**
 * What the processor does per record, without Kafka and LevelDB: decode, fold, encode the stored
 * twin (store and changelog bytes), and the document and events it would produce. msgs/s.
 */
function foldRate(input: readonly BenchRecord[], config: FoldConfig): number {
  const twins = new Map<string, StoredTwin>();
  let bytes = 0;
  const began = process.hrtime.bigint();
  for (const r of input) {
    const decoded = decodeInput(r.kind, r.key, r.value, r.timestampMs, DEFAULT_JSON_LIMITS);
    const result = foldTwin(twins.get(r.key), decoded, { nowMs: r.timestampMs, config });
    if (result.state) {
      bytes += encodeWithinLimit(result.state).length;
      bytes += JSON.stringify(toTwinDocument(result.state)).length;
      twins.set(r.key, result.state);
    }
    for (const e of result.events) bytes += JSON.stringify(e).length;
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  if (bytes === 0) throw new Error('the fold produced nothing');
  return input.length / seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function qualityFigures(label: string, r: DetectionResult): Figure[] {
  const figures: Figure[] = [];
  for (const [kind, q] of Object.entries(r.perKind)) {
    const note = `${q.episodes} injected; delay p50 ${q.delayP50Seconds ?? 'n/a'} s, p95 ${q.delayP95Seconds ?? 'n/a'} s`;
    figures.push({ name: `${label} ${kind} recall`, value: q.recall, unit: '', note });
    figures.push({
      name: `${label} ${kind} false alarms`,
      value: q.falseAlarmsPer1000DeviceHours,
      unit: '/1000 device-h',
    });
    // No delay without a detection (possible at quick sizes).
    const delay = { name: `${label} ${kind} delay p50`, value: q.delayP50Seconds, unit: 's', optional: true };
    figures.push({ ...delay, note: `p95 ${q.delayP95Seconds ?? 'n/a'} s` });
  }
  return figures;
}

/**
 * The processor's own msgs/s (the `fold` benchmark's measure: one service over preloaded input
 * topics, exactly_once) with TRAITS off, then on, over the same records.
 */
async function serviceRates(
  ctx: BenchContext,
  devices: number,
  records: number,
): Promise<{ off: number; on: number }> {
  const d = deployment(ctx, 'traits-fold');
  try {
    const admin = benchKafka(ctx.brokers.kafka, 'bench-traits').admin();
    await admin.connect();
    const topics = inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => ({ topic: t.topic }));
    await createTopics(admin, topics, ctx.sizes.partitions);
    await admin.disconnect();
    await preloadInputs(ctx, d, devices, records, 'traits-');
    const off = await measureFold(ctx, d, 'exactly_once', records, {
      name: 'traits-off',
      env: { TRAITS: 'off' },
      profile: ctx.profile.has('traits'),
    });
    const on = await measureFold(ctx, d, 'exactly_once', records, {
      name: 'traits-on',
      env: { TRAITS: 'on' },
      profile: ctx.profile.has('traits'),
    });
    return { off: off.rate, on: on.rate };
  } finally {
    await d.cleanup();
  }
}

export async function traitsBench(ctx: BenchContext): Promise<BenchResult> {
  const size = ctx.quick ? SIZES.quick : SIZES.full;
  const run: DetectionRun = { ...size.detection, everyMs: EVERY_MS, anomalyRate: 0.002, seed: 7 };
  const setup: Record<string, string | number> = {
    ...ctx.versions,
    'service fold': `the fold benchmark's measure (one service over preloaded inputs, exactly_once), TRAITS off then on: ${size.service.records} records over ${size.service.devices} devices`,
    'in-process fold': `${size.messages} simulator messages (mix ${JSON.stringify(DEFAULT_MIX)}) over ${size.devices} devices, each every ${EVERY_MS / 1000} s; decode + fold + encode the stored twin + document and events, in process; traits off and on alternate, ${size.rounds} round(s) each, median`,
    detection: `${run.devices} devices x ${run.hours} h, a reading every ${EVERY_MS / 1000} s, anomaly rate ${run.anomalyRate} per channel reading (scripts/simulator/channel.ts labels); pure fold; an alert counts for an injection on its field from its first reading to 60 s after its last; drift is detected by DRIFT or RAPID_CHANGE`,
  };
  printSetup('traits', setup);
  const input = records(size.devices, size.messages);
  const off: number[] = [];
  const on: number[] = [];
  foldRate(input.slice(0, Math.min(input.length, 20_000)), DEFAULT_FOLD_CONFIG); // warm up the JIT
  for (let i = 0; i < size.rounds; i++) {
    off.push(foldRate(input, { ...DEFAULT_FOLD_CONFIG, traits: false }));
    on.push(foldRate(input, { ...DEFAULT_FOLD_CONFIG, traits: true }));
  }
  const rateOff = median(off);
  const rateOn = median(on);
  ctx.say(`traits fold in process: off ${round(rateOff)} msgs/s, on ${round(rateOn)} msgs/s`);
  const service = await serviceRates(ctx, size.service.devices, size.service.records);
  ctx.say(`traits fold, service: off ${round(service.off)} msgs/s, on ${round(service.on)} msgs/s`);
  const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
  const figures: Figure[] = [
    { name: 'service fold, traits off', value: round(service.off), unit: 'msgs/s' },
    { name: 'service fold, traits on', value: round(service.on), unit: 'msgs/s' },
    {
      name: 'service fold traits on / off',
      value: ratio(service.on, service.off),
      unit: 'x',
      target: { op: '>=', value: 0.8 },
      note: `${size.service.records} records over ${size.service.devices} devices, exactly_once`,
    },
    {
      name: 'in-process fold, traits off',
      value: round(rateOff),
      unit: 'msgs/s',
      note: `rounds ${off.map(round).join(', ')}`,
    },
    {
      name: 'in-process fold, traits on',
      value: round(rateOn),
      unit: 'msgs/s',
      note: `rounds ${on.map(round).join(', ')}`,
    },
    {
      name: 'in-process fold traits on / off',
      value: ratio(rateOn, rateOff),
      unit: 'x',
      note: 'CPU of the fold path alone',
    },
  ];
  const profiles = simulatorProfiles(EVERY_MS);
  const perType = measureDetection(run, (type) => profiles.get(type) ?? DEFAULT_PROFILE);
  const defaults = measureDetection(run, () => DEFAULT_PROFILE);
  for (const [label, r] of [
    ['per-type profile', perType],
    ['default profile', defaults],
  ] as const) {
    ctx.say(
      `traits detection, ${label}: ${JSON.stringify(r.perKind)}; other alerts /1000 device-h ${JSON.stringify(r.otherAlertsPer1000DeviceHours)}`,
    );
    figures.push(...qualityFigures(label, r));
  }
  return { bench: 'traits', setup, figures, seconds: 0 };
}
