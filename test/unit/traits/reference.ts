/**
 * An independent reference of the traits, written from the definitions (docs/contract.md, the
 * traits section) over the whole series as plain arrays: no ring, no incremental state, none of
 * topology/traits' code. For reading i it recomputes everything from the accepted points before
 * and including it.
 */
export interface Point {
  t: number;
  v: number;
}

export interface RefSettings {
  ringSize: number;
  driftMs: number;
  rapidMs: number;
  alpha: number;
  warmup: number;
  k: number;
  stuckN: number;
  driftPerMinute: number;
  trendPerMinute: number;
  rapidPerMinute: number;
  stabilityScale: number;
  minStabilityPercent: number;
  forecastMinutes: number;
  thresholds?: { min?: number; max?: number };
  calibration?: { min?: number; max?: number };
}

export interface RefTraits {
  value: number;
  points: number;
  slope: number;
  drifting: boolean;
  stdDev: number;
  percent: number;
  unstable: boolean;
  trend: 'RISING' | 'FALLING' | 'STABLE';
  anomalies: string[];
  forecast: number | null;
  thresholdMinutes: (number | null)[];
  maintenanceHours: number | null;
  score: number;
}

/** The readings that count: each strictly newer than every reading before it. */
export function accepted(series: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of series) if (out.length === 0 || p.t > out[out.length - 1]!.t) out.push(p);
  return out;
}

/** Least squares from the deviations about the means (x in minutes since the window's first point). */
function regression(points: readonly Point[]): {
  slope: number;
  intercept: number;
  t: number | null;
  ok: boolean;
} {
  const n = points.length;
  const x = points.map((p) => (p.t - points[0]!.t) / 60_000);
  const y = points.map((p) => p.v);
  const sum = (a: number[]): number => a.reduce((s, q) => s + q, 0);
  const mx = sum(x) / n;
  const my = sum(y) / n;
  const sxx = sum(x.map((xi) => (xi - mx) ** 2));
  if (n < 2 || sxx === 0) return { slope: 0, intercept: my, t: null, ok: false };
  const slope = sum(x.map((xi, i) => (xi - mx) * (y[i]! - my))) / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { slope, intercept, t: null, ok: true };
  const residuals = y.map((yi, i) => yi - (intercept + slope * x[i]!));
  const se = Math.sqrt(sum(residuals.map((r) => r * r)) / (n - 2) / sxx);
  return { slope, intercept, t: se < 1e-9 * Math.abs(slope) ? Infinity : slope / se, ok: true };
}

function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/**
 * The baseline before reading i, and how many readings it holds: readings 0..i-1 except those
 * repeating the reading before them; the m-th taken (from 0) has weight max(alpha, 1/(m+1)) in
 * an exponentially weighted mean and variance; once `warmup` readings are in, a reading's pull
 * is capped at k σ.
 */
function baselineBefore(
  values: readonly number[],
  i: number,
  s: RefSettings,
): { mean: number; sd: number; m: number } {
  let mean = values[0]!;
  let variance = 0;
  let m = 1;
  for (let j = 1; j < i; j++) {
    if (values[j] === values[j - 1]) continue;
    let d = values[j]! - mean;
    const sd = Math.sqrt(variance);
    if (m >= s.warmup && sd > 0) d = Math.max(-s.k * sd, Math.min(s.k * sd, d));
    const a = Math.max(s.alpha, 1 / (m + 1));
    mean += a * d;
    variance = (1 - a) * (variance + a * d * d);
    m += 1;
  }
  return { mean, sd: Math.sqrt(variance), m: i === 0 ? 0 : m };
}

/** The traits after accepted reading `i` of `points`. */
export function referenceTraits(points: readonly Point[], i: number, s: RefSettings): RefTraits {
  const ring = points.slice(Math.max(0, i + 1 - s.ringSize), i + 1);
  const last = points[i]!;
  const inWindow = (ms: number): Point[] => ring.filter((p) => p.t >= last.t - ms);
  const w = inWindow(s.driftMs);
  const fit = regression(w);
  const rapid = regression(inWindow(s.rapidMs));
  const stdDev = sampleStd(w.map((p) => p.v));
  const percent = Math.min(100, Math.max(0, 100 - (100 * stdDev) / s.stabilityScale));
  // Judged only over a window whose points span at least half of it.
  const judged = last.t - w[0]!.t >= s.driftMs / 2;
  const rapidPoints = inWindow(s.rapidMs);
  const rapidJudged = last.t - rapidPoints[0]!.t >= s.rapidMs / 2;
  const drifting = judged && Math.abs(fit.slope) > s.driftPerMinute;
  const unstable = judged && percent < s.minStabilityPercent;
  const significant = judged && fit.t !== null && Math.abs(fit.t) >= 2;
  const trend =
    significant && fit.slope > s.trendPerMinute
      ? 'RISING'
      : significant && fit.slope < -s.trendPerMinute
        ? 'FALLING'
        : 'STABLE';
  const anomalies: string[] = [];
  const values = points.map((p) => p.v);
  const { mean, sd, m } = baselineBefore(values, i, s);
  if (m >= s.warmup) {
    const delta = Math.abs(last.v - mean);
    if (delta > 0 && (sd === 0 || delta / sd > s.k)) anomalies.push('SPIKE');
  }
  let run = 1;
  while (run <= i && values[i - run] === last.v) run += 1;
  if (run >= s.stuckN) anomalies.push('STUCK');
  if (rapidJudged && Math.abs(rapid.slope) > s.rapidPerMinute) anomalies.push('RAPID_CHANGE');
  const minutesNow = (last.t - w[0]!.t) / 60_000;
  const level = fit.intercept + fit.slope * minutesNow;
  const until = (bound: 'min' | 'max', value: number): number | null => {
    const gap = bound === 'max' ? value - level : level - value;
    if (gap <= 0) return 0;
    const speed = bound === 'max' ? fit.slope : -fit.slope;
    return speed > 0 ? gap / speed : null;
  };
  const thresholdMinutes: (number | null)[] = [];
  if (fit.ok && s.thresholds?.min !== undefined) thresholdMinutes.push(until('min', s.thresholds.min));
  if (fit.ok && s.thresholds?.max !== undefined) thresholdMinutes.push(until('max', s.thresholds.max));
  let maintenanceHours: number | null = null;
  const band = s.calibration;
  if (drifting && fit.ok && band !== undefined) {
    const outside =
      (band.min !== undefined && level < band.min) || (band.max !== undefined && level > band.max);
    const edge = fit.slope > 0 ? band.max : band.min;
    const minutes = outside ? 0 : edge === undefined ? null : until(fit.slope > 0 ? 'max' : 'min', edge);
    maintenanceHours = minutes === null ? null : minutes / 60;
  }
  const penalty: Record<string, number> = { STUCK: 30, SPIKE: 10, RAPID_CHANGE: 10 };
  const score = Math.max(
    0,
    100 - (unstable ? 20 : 0) - (drifting ? 20 : 0) - anomalies.reduce((sum, a) => sum + penalty[a]!, 0),
  );
  return {
    value: last.v,
    points: w.length,
    slope: fit.slope,
    drifting,
    stdDev,
    percent,
    unstable,
    trend,
    anomalies,
    forecast: fit.ok ? level + fit.slope * s.forecastMinutes : null,
    thresholdMinutes,
    maintenanceHours,
    score,
  };
}
