import { sig } from '../traits/field';
import { MIX_KINDS, type BehaviourBaselines, type BehaviourFeatures, type WindowSums } from './types';
import type { ClosedTimes } from './window';

/** Mean and standard deviation of [count, sum, sum of squares]; null when empty. */
function meanStd(sums: readonly number[]): { mean: number; std: number } | null {
  const [n = 0, s = 0, ss = 0] = sums;
  if (n === 0) return null;
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, ss / n - mean * mean)) };
}

/** Shannon entropy in bits of a histogram. */
export function entropyBits(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return 0;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/** The window's message mix: the share of each kind, then of QoS 0, 1, 2. */
export function mixOf(w: WindowSums): number[] {
  const n = Math.max(1, w.n);
  return [...w.k.map((c) => c / n), ...w.q.map((c) => c / n)];
}

/** Total-variation distance between two mixes (kinds and QoS each sum to 1: halved twice). */
export function mixDistance(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - (b[i] ?? 0));
  return d / 4;
}

/** The features of a closed window, against the baselines as they were before it. */
export function featuresOf(
  w: WindowSums,
  times: ClosedTimes,
  windowMs: number,
  b: BehaviourBaselines,
): BehaviourFeatures {
  const n = Math.max(1, w.n);
  const share = (c: number): number => sig(c / n);
  const lat = meanStd(w.lat);
  const ia = times.ia[0]! >= 2 ? meanStd(times.ia) : null;
  // Traffic: every message but status (connects and disconnects are counted on their own).
  const rate = (w.n - w.k[2]!) / (windowMs / 1000);
  const mix = mixOf(w);
  return {
    windowStart: w.s,
    windowMs,
    messages: w.n,
    rate: sig(rate),
    avgRate: sig(b.rate.n === 0 ? rate : b.rate.mean),
    peakRate: sig(Math.max(rate, b.peak)),
    bytesMean: sig(w.bytes / n),
    sizeEntropy: sig(entropyBits(w.sz)),
    qos0: share(w.q[0]!),
    qos1: share(w.q[1]!),
    qos2: share(w.q[2]!),
    telemetry: share(w.k[0]!),
    state: share(w.k[1]!),
    status: share(w.k[2]!),
    ack: share(w.k[3]!),
    error: share(w.k[4]!),
    mixDistance: sig(b.windows === 0 ? 0 : mixDistance(mix, b.mix)),
    dupRate: share(w.dup),
    retainRate: share(w.ret),
    latencyMs: lat === null ? null : sig(lat.mean),
    jitterMs: lat === null ? null : sig(lat.std),
    interArrivalMs: ia === null ? null : sig(ia.mean),
    interArrivalCv: ia === null || ia.mean <= 0 ? null : sig(ia.std / ia.mean),
    connects: w.con,
    disconnects: w.dis,
    sessionMs: times.ses[0]! === 0 ? null : sig(times.ses[1]! / times.ses[0]!),
    label: w.label,
  };
}

/** The feature columns of a dataset row, in order (the row also has `deviceId`). */
export const FEATURE_COLUMNS: readonly (keyof BehaviourFeatures)[] = [
  'windowStart',
  'windowMs',
  'messages',
  'rate',
  'avgRate',
  'peakRate',
  'bytesMean',
  'sizeEntropy',
  'qos0',
  'qos1',
  'qos2',
  ...MIX_KINDS,
  'mixDistance',
  'dupRate',
  'retainRate',
  'latencyMs',
  'jitterMs',
  'interArrivalMs',
  'interArrivalCv',
  'connects',
  'disconnects',
  'sessionMs',
  'label',
];
