import {
  updateTraits,
  validateProfile,
  type DeviceProfile,
  type TraitsState,
} from '../../../topology/traits';
import type { AlertTransition } from '../../../topology/traits/alerts';
import type { Point, RefSettings } from './reference';

/** 2026-11-24T10:00:00.000Z */
export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;

/** Mulberry32: a small seeded generator, so every series is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller). */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** `n` readings every `everyMs` from T0, valued `f(i, minutes since T0)`. */
export function series(n: number, everyMs: number, f: (i: number, minutes: number) => number): Point[] {
  return Array.from({ length: n }, (_, i) => ({ t: T0 + i * everyMs, v: f(i, (i * everyMs) / MIN) }));
}

/** The profile the tests fold with, and the same numbers for the reference. */
export const PROFILE_INPUT = {
  ringSize: 20,
  windows: { driftMs: 3 * MIN, rapidMs: MIN },
  baselineAlpha: 0.1,
  warmup: 10,
  spikeK: 3,
  stuckN: 6,
  driftPerMinute: 0.1,
  trendPerMinute: 0.01,
  rapidPerMinute: 2,
  stabilityScale: 5,
  minStabilityPercent: 70,
  forecastMs: 10 * MIN,
  hysteresis: { clearRatio: 0.8, clearAfter: 3 },
  fields: { x: { thresholds: { min: 10, max: 30 }, calibration: { min: 15, max: 25 } } },
};

export function testProfile(): DeviceProfile {
  const r = validateProfile(PROFILE_INPUT);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}

export const REF: RefSettings = {
  ringSize: 20,
  driftMs: 3 * MIN,
  rapidMs: MIN,
  alpha: 0.1,
  warmup: 10,
  k: 3,
  stuckN: 6,
  driftPerMinute: 0.1,
  trendPerMinute: 0.01,
  rapidPerMinute: 2,
  stabilityScale: 5,
  minStabilityPercent: 70,
  forecastMinutes: 10,
  thresholds: { min: 10, max: 30 },
  calibration: { min: 15, max: 25 },
};

export interface Step {
  point: Point;
  traits: TraitsState | undefined;
  transitions: AlertTransition[];
}

/** Folds a series of one field `x` reading by reading; `traits` after each (undefined: unchanged). */
export function run(points: readonly Point[], profile = testProfile(), field = 'x'): Step[] {
  let state: TraitsState | undefined;
  const steps: Step[] = [];
  for (const point of points) {
    const r = updateTraits(
      state,
      { deviceId: 'dev-1', t: point.t, values: [[field, point.v]], isNumeric: () => true },
      profile,
    );
    if (r.traits !== undefined) state = r.traits;
    steps.push({ point, traits: r.traits, transitions: r.transitions });
  }
  return steps;
}
