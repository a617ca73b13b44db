/** Statistics over a window of the ring: a least-squares line and the sample standard deviation. */

const MINUTE_MS = 60_000;

export interface LineFit {
  /** Points in the window. */
  n: number;
  /** Units per minute; 0 with fewer than two distinct times. */
  slope: number;
  /** The line's value at the window's latest time. */
  level: number;
  /** slope / its standard error; Infinity for an exact non-flat line, 0 when undefined. */
  tStat: number;
  /** Sample standard deviation of the values (n − 1); 0 for one point. */
  stdDev: number;
  /** false when the times do not spread (one point, or all at one instant). */
  fitted: boolean;
  /** Minutes from the window's first point to its latest. */
  spanMinutes: number;
}

/**
 * The index of the first ring point at or after `t[last] − windowMs` (the window is that point up
 * to the latest). `t` is ascending.
 */
export function windowStart(t: readonly number[], windowMs: number): number {
  const from = t[t.length - 1]! - windowMs;
  let i = t.length - 1;
  while (i > 0 && t[i - 1]! >= from) i -= 1;
  return i;
}

/** Least-squares fit of v over t (in minutes before the latest point), for points [start, end). */
export function fitLine(t: readonly number[], v: readonly number[], start: number): LineFit {
  const end = t.length;
  const n = end - start;
  const last = t[end - 1]!;
  let sx = 0;
  let sy = 0;
  for (let i = start; i < end; i++) {
    sx += (t[i]! - last) / MINUTE_MS;
    sy += v[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = start; i < end; i++) {
    const dx = (t[i]! - last) / MINUTE_MS - mx;
    const dy = v[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const stdDev = n > 1 ? Math.sqrt(syy / (n - 1)) : 0;
  const spanMinutes = (last - t[start]!) / MINUTE_MS;
  if (n < 2 || sxx === 0) return { n, slope: 0, level: my, tStat: 0, stdDev, fitted: false, spanMinutes };
  const slope = sxy / sxx;
  const level = my - slope * mx;
  const tStat = tStatistic(slope, sxx, syy - slope * sxy, n);
  return { n, slope, level, tStat, stdDev, fitted: true, spanMinutes };
}

function tStatistic(slope: number, sxx: number, sse: number, n: number): number {
  if (slope === 0 || n < 3) return 0;
  const residual = Math.max(0, sse) / (n - 2);
  // An exact line (no residual, allowing for rounding) is as significant as it gets.
  if (residual <= 1e-18 * Math.abs(slope * slope * sxx)) return slope > 0 ? Infinity : -Infinity;
  return slope / Math.sqrt(residual / sxx);
}
