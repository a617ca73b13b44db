import { fieldSettings } from './profile';
import { fitLine, windowStart, type LineFit } from './stats';
import { flagsOf } from './evaluation';
import type {
  AnomalyType,
  Bounds,
  DeviceProfile,
  Evaluation,
  FieldProfile,
  FieldSettings,
  FieldTraitsState,
  Trend,
} from './types';

/** What the alerts are judged on, besides the evaluation (not stored). */
export interface Measures {
  /** |value − baseline mean| in baseline standard deviations; null during the warm-up. */
  z: number | null;
  run: number;
  rapidPerMinute: number;
  driftPerMinute: number;
  stdDev: number;
}

export interface Observation {
  state: FieldTraitsState;
  measures: Measures;
}

/**
 * Takes one reading of a field at reading time `t`. A reading not newer than the latest one in
 * the ring (late, out of order, or a replay of the same instant) is not a new point: undefined,
 * the traits stay as they were. Otherwise the point joins the ring (the oldest leaves past
 * `ringSize`), the traits are evaluated, and the baseline takes the reading after judging it
 * (unless it repeats the previous value).
 */
export function observe(
  previous: FieldTraitsState | undefined,
  field: string,
  t: number,
  value: number,
  profile: DeviceProfile,
): Observation | undefined {
  if (previous !== undefined && t <= previous.at) return undefined;
  const settings = fieldSettings(profile, field);
  const { ts, vs } = nextRing(previous, t, value, profile.ringSize);
  const run = previous !== undefined && previous.v[previous.v.length - 1] === value ? previous.run + 1 : 1;
  const n = previous?.n ?? 0;
  const mean = previous?.mean ?? value;
  const variance = previous?.variance ?? 0;
  const sigma = Math.sqrt(variance);
  const z = n < profile.warmup ? null : deviation(value - mean, sigma);
  const drift = fitLine(ts, vs, windowStart(ts, profile.windows.driftMs));
  const rapid = fitLine(ts, vs, windowStart(ts, profile.windows.rapidMs));
  const rapidSlope = halfFull(rapid, profile.windows.rapidMs) ? rapid.slope : 0;
  const anomalies = detect(settings, { value, mean, z, run, rapid: rapidSlope });
  const judged = halfFull(drift, profile.windows.driftMs);
  const evaluation = evaluate(settings, profile, { drift, judged, anomalies });
  // A repeated value says nothing new about the spread: a stuck run does not shrink the baseline.
  const clip = z === null ? undefined : settings.spikeK * sigma;
  const baseline = run > 1 ? { n, mean, variance } : nextBaseline(n, mean, variance, value, clip, profile);
  return {
    state: {
      at: t,
      t: ts,
      v: vs,
      n: baseline.n,
      mean: baseline.mean,
      variance: baseline.variance,
      run,
      e: evaluation,
    },
    measures: {
      z,
      run,
      rapidPerMinute: rapidSlope,
      driftPerMinute: judged ? drift.slope : 0,
      stdDev: judged ? drift.stdDev : 0,
    },
  };
}

/**
 * The ring with the new point last and the oldest gone past `ringSize`, in one pass. Ring times
 * are kept as offsets before the latest reading: short numbers in the stored JSON.
 */
function nextRing(
  previous: FieldTraitsState | undefined,
  t: number,
  value: number,
  ringSize: number,
): { ts: number[]; vs: number[] } {
  if (previous === undefined) return { ts: [0], vs: [value] };
  const keep = Math.max(0, previous.t.length + 1 - ringSize);
  const shift = t - previous.at;
  // Filled by push: packed arrays, cheaper to walk and to serialise than preallocated holey ones.
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = keep; i < previous.t.length; i++) {
    ts.push(previous.t[i]! - shift);
    vs.push(previous.v[i]!);
  }
  ts.push(0);
  vs.push(value);
  return { ts, vs };
}

/** The evaluation's empty lists (most readings have no anomaly, most fields no thresholds): one frozen array. */
const NONE: readonly never[] = Object.freeze([]);

/**
 * Slopes and spreads are judged only over a window at least half full (its points span half its
 * length): a slope over two readings ten seconds apart says nothing about a five-minute drift.
 */
function halfFull(fit: LineFit, windowMs: number): boolean {
  return fit.spanMinutes * 60_000 >= windowMs / 2;
}

function deviation(delta: number, sigma: number): number {
  if (delta === 0) return 0;
  return sigma === 0 ? Infinity : Math.abs(delta) / sigma;
}

/**
 * Exponentially weighted mean and variance (weight `baselineAlpha` for the new reading, 1/(n+1)
 * while that is larger). Past the
 * warm-up a reading's pull is capped at `clip` (k σ), so one spike does not blind the baseline.
 */
export function nextBaseline(
  n: number,
  mean: number,
  variance: number,
  value: number,
  clip: number | undefined,
  profile: DeviceProfile,
): { n: number; mean: number; variance: number } {
  if (n === 0) return { n: 1, mean: value, variance: 0 };
  // A plain running mean and variance until 1/(n+1) falls below alpha: no bias towards the first reading.
  const alpha = Math.max(profile.baselineAlpha, 1 / (n + 1));
  const raw = value - mean;
  const d = clip === undefined || clip === 0 ? raw : Math.max(-clip, Math.min(clip, raw));
  return { n: n + 1, mean: mean + alpha * d, variance: (1 - alpha) * (variance + alpha * d * d) };
}

function detect(
  s: FieldSettings,
  at: { value: number; mean: number; z: number | null; run: number; rapid: number },
): Evaluation[5] {
  const out: (readonly [AnomalyType, string])[] = [];
  if (at.z !== null && at.z > s.spikeK) {
    const delta = Math.abs(at.value - at.mean);
    out.push(['SPIKE', `Value ${at.value} deviates ${delta.toFixed(2)} from baseline ${at.mean.toFixed(2)}`]);
  }
  if (at.run >= s.stuckN) out.push(['STUCK', `Sensor stuck at ${at.value} for ${at.run} readings`]);
  if (Math.abs(at.rapid) > s.rapidPerMinute)
    out.push(['RAPID_CHANGE', `Rapid change detected: ${at.rapid.toFixed(2)}/min`]);
  return out.length === 0 ? NONE : out;
}

function evaluate(
  s: FieldSettings & FieldProfile,
  profile: DeviceProfile,
  at: { drift: LineFit; judged: boolean; anomalies: Evaluation[5] },
): Evaluation {
  const { drift, judged } = at;
  const drifting = judged && Math.abs(drift.slope) > s.driftPerMinute;
  const percent = Math.min(100, Math.max(0, 100 * (1 - drift.stdDev / s.stabilityScale)));
  const unstable = judged && percent < s.minStabilityPercent;
  const trend = judged ? trendOf(drift, s.trendPerMinute) : 'STABLE';
  return [
    drift.n,
    sig(drift.slope),
    sig(drift.stdDev),
    sig(percent),
    flagsOf(drifting, unstable, trend),
    at.anomalies,
    drift.fitted ? forecastOf(drift, profile.forecastMs, s.thresholds) : null,
    drifting && drift.fitted ? maintenanceHours(drift, s.calibration) : null,
    s.staleAfterMs,
  ];
}

/** RISING / FALLING: a slope beyond `trendPerMinute` that is also significant (|t| ≥ 2). */
function trendOf(fit: LineFit, threshold: number): Trend {
  if (Math.abs(fit.tStat) < 2 || Math.abs(fit.slope) <= threshold) return 'STABLE';
  return fit.slope > 0 ? 'RISING' : 'FALLING';
}

function forecastOf(fit: LineFit, horizonMs: number, thresholds: Bounds | undefined): Evaluation[6] {
  const horizonMinutes = horizonMs / 60_000;
  if (thresholds === undefined) return [horizonMinutes, sig(fit.level + fit.slope * horizonMinutes), NONE];
  const out: (readonly ['min' | 'max', number, number | null])[] = [];
  if (thresholds?.min !== undefined)
    out.push(['min', thresholds.min, minutesUntil(fit, 'min', thresholds.min)]);
  if (thresholds?.max !== undefined)
    out.push(['max', thresholds.max, minutesUntil(fit, 'max', thresholds.max)]);
  return [horizonMinutes, sig(fit.level + fit.slope * horizonMinutes), out];
}

/** Minutes until the fitted line reaches `value` from its side; 0 when already beyond. */
function minutesUntil(fit: LineFit, bound: 'min' | 'max', value: number): number | null {
  const gap = bound === 'max' ? value - fit.level : fit.level - value;
  if (gap <= 0) return 0;
  const speed = bound === 'max' ? fit.slope : -fit.slope;
  return speed > 0 ? sig(gap / speed) : null;
}

/** Seed 003 Query 5: hours until the drifting line leaves the calibration band (evaluation.ts maintenanceOf). */
function maintenanceHours(fit: LineFit, band: Bounds | undefined): number | null {
  if (band === undefined) return null;
  const bound = fit.slope > 0 ? 'max' : 'min';
  const limit = band[bound];
  const below = band.min !== undefined && fit.level < band.min;
  const above = band.max !== undefined && fit.level > band.max;
  const minutes = below || above ? 0 : limit === undefined ? null : minutesUntil(fit, bound, limit);
  return minutes === null ? null : sig(minutes / 60);
}

/** 10 ** k for k = 0..330, as `10 ** k` computes it (the same doubles, without the call). */
const POW10 = Array.from({ length: 331 }, (_, k) => 10 ** k);

/** Six significant digits: enough for any sensor, and the document stays short. */
export function sig(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = 5 - Math.floor(Math.log10(Math.abs(x)));
  if (e >= 0) {
    const p = POW10[e]!;
    return Math.round(x * p) / p;
  }
  const p = POW10[-e]!;
  return Math.round(x / p) * p;
}
