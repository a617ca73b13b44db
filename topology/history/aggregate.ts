import type { AggregateBucket, AggregateFn } from './queries';
import type { FieldSummary } from './rollup';

/** Aggregation buckets of `[start, end)` by `bucketMs`, fed one value at a time in any order. */
export class Aggregator {
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  /** first/last: value and its order key (time, then position), compared as [t, seq]. */
  private readonly first: { t: number; seq: string; v: number }[] = [];
  private readonly last: { t: number; seq: string; v: number }[] = [];
  readonly size: number;

  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly bucketMs: number,
  ) {
    this.size = Math.max(0, Math.ceil((end - start) / bucketMs));
    this.count = new Float64Array(this.size);
    this.sum = new Float64Array(this.size);
    this.min = new Float64Array(this.size).fill(Infinity);
    this.max = new Float64Array(this.size).fill(-Infinity);
  }

  /** A numeric value at time `t` (`seq` orders equal times); values outside the range are ignored. */
  add(t: number, seq: string, v: number): void {
    if (t < this.start || t >= this.end) return;
    const i = Math.floor((t - this.start) / this.bucketMs);
    this.count[i]! += 1;
    this.sum[i]! += v;
    if (v < this.min[i]!) this.min[i] = v;
    if (v > this.max[i]!) this.max[i] = v;
    const f = this.first[i];
    if (f === undefined || t < f.t || (t === f.t && seq < f.seq)) this.first[i] = { t, seq, v };
    const l = this.last[i];
    if (l === undefined || t > l.t || (t === l.t && seq > l.seq)) this.last[i] = { t, seq, v };
  }

  /** A roll-up's summary of a field; all its readings lie in the bucket of `t` (a minute's start). */
  addSummary(t: number, s: FieldSummary): void {
    if (t < this.start || t >= this.end) return;
    const i = Math.floor((t - this.start) / this.bucketMs);
    this.count[i]! += s.n;
    this.sum[i]! += s.sum;
    if (s.min < this.min[i]!) this.min[i] = s.min;
    if (s.max > this.max[i]!) this.max[i] = s.max;
    const f = this.first[i];
    if (f === undefined || s.ft < f.t || (s.ft === f.t && s.fo < f.seq))
      this.first[i] = { t: s.ft, seq: s.fo, v: s.fv };
    const l = this.last[i];
    if (l === undefined || s.lt > l.t || (s.lt === l.t && s.lo > l.seq))
      this.last[i] = { t: s.lt, seq: s.lo, v: s.lv };
  }

  /** Every bucket, empty ones included (count 0, the asked functions null). */
  buckets(fns: readonly AggregateFn[]): AggregateBucket[] {
    const want = new Set(fns);
    const out: AggregateBucket[] = [];
    for (let i = 0; i < this.size; i++) {
      const bStart = this.start + i * this.bucketMs;
      const n = this.count[i]!;
      const b: AggregateBucket = { start: bStart, end: Math.min(this.end, bStart + this.bucketMs), count: n };
      const has = n > 0;
      if (want.has('avg')) b.avg = has ? this.sum[i]! / n : null;
      if (want.has('min')) b.min = has ? this.min[i]! : null;
      if (want.has('max')) b.max = has ? this.max[i]! : null;
      if (want.has('sum')) b.sum = has ? this.sum[i]! : null;
      if (want.has('first')) b.first = this.first[i]?.v ?? null;
      if (want.has('last')) b.last = this.last[i]?.v ?? null;
      out.push(b);
    }
    return out;
  }
}
