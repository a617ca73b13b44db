import { DEFAULT_BEHAVIOUR_SETTINGS } from '../topology/behaviour';
import {
  DEFAULT_FOLD_CONFIG,
  decodeInput,
  foldTwin,
  type FoldConfig,
  type StoredTwin,
} from '../topology/twin';
import { DEFAULT_JSON_LIMITS } from '../shared/safe-json';
import { byReceipt, scenarioMessages, SIMULATED_EPOCH_MS } from '../scripts/simulator/scenarios';
import {
  ABNORMAL_SCENARIOS,
  evaluate,
  replayConfig,
  replayScenario,
  scenarioInputs,
} from './behaviour-detection';
import type { BenchContext } from './context';
import { printSetup, type BenchResult, type Figure } from './report';

/**
 * `behaviour`: the behaviour detector's precision, recall and detection delay per abnormal
 * scenario against the simulator's labels (the real decoder and fold, in process, simulated time),
 * and the fold's cost with behaviour on against off over the same records.
 */
const SIZES = { full: { devices: 100, minutes: 60 }, quick: { devices: 20, minutes: 20 } };
const W = 60_000;

function foldRate(config: FoldConfig, devices: number, minutes: number): number {
  const startMs = SIMULATED_EPOCH_MS;
  const messages = byReceipt(
    scenarioMessages('mixed', { seed: 9, devices, durationMs: minutes * W, windowMs: W }),
  );
  const records = scenarioInputs(messages, startMs);
  const twins = new Map<string, StoredTwin>();
  const began = process.hrtime.bigint();
  for (const r of records) {
    const m = r.message;
    if (r.kind === undefined || !Buffer.isBuffer(m.value)) continue;
    const ts = Number(m.timestamp);
    const input = decodeInput(r.kind, String(m.key), m.value, ts, DEFAULT_JSON_LIMITS, m.headers);
    const result = foldTwin(twins.get(input.deviceId), input, { nowMs: ts, config });
    if (result.state) twins.set(input.deviceId, result.state);
  }
  return records.length / (Number(process.hrtime.bigint() - began) / 1e9);
}

export async function behaviourBench(ctx: BenchContext): Promise<BenchResult> {
  const began = Date.now();
  const size = ctx.quick ? SIZES.quick : SIZES.full;
  const setup = {
    ...ctx.versions,
    detection: `each abnormal scenario: ${size.devices} devices, half with one 3-window episode after 8 normal windows, ${size.minutes} min, ${W / 1000} s windows, seed 7; an alert counts inside its episode + 2 windows`,
    cost: `mixed scenario, ${size.devices} devices x ${size.minutes} min, decode + fold in process, traits off, behaviour off then on`,
  };
  printSetup('behaviour', setup);
  const figures: Figure[] = [];
  for (const s of ABNORMAL_SCENARIOS) {
    const o = {
      seed: 7,
      devices: size.devices,
      durationMs: size.minutes * W,
      windowMs: W,
      abnormalShare: 0.5,
    };
    const q = evaluate(s, replayScenario(s, o), W);
    const note = `${q.detected}/${q.episodes} episodes; ${q.falseAlerts} alerts outside episodes`;
    figures.push({ name: `${s} precision`, value: q.precision, unit: '', note });
    figures.push({ name: `${s} recall`, value: q.recall, unit: '' });
    figures.push({ name: `${s} detection delay`, value: q.delaySeconds, unit: 's' });
  }
  const off = foldRate({ ...DEFAULT_FOLD_CONFIG, traits: false }, size.devices, size.minutes);
  const on = foldRate(replayConfig(DEFAULT_BEHAVIOUR_SETTINGS), size.devices, size.minutes);
  figures.push({ name: 'in-process fold, behaviour off', value: Math.round(off), unit: 'msgs/s' });
  figures.push({ name: 'in-process fold, behaviour on', value: Math.round(on), unit: 'msgs/s' });
  return { bench: 'behaviour', setup, figures, seconds: (Date.now() - began) / 1000 };
}
