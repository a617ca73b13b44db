/**
 * How long history entries live, per device type, and the time buckets their keys start with (see
 * README.md). An entry of time `t` for a twin of type `type` expires at `t + retentionFor(type)`;
 * its bucket is that expiry rounded up to the bucket width of its retention.
 */
export interface RetentionSettings {
  /** HISTORY_RETENTION: the retention of every type not listed in `byType`. */
  readonly defaultMs: number;
  /** HISTORY_RETENTION_BY_TYPE. */
  readonly byType: ReadonlyMap<string, number>;
}

const DAY_MS = 86_400_000;
/** Buckets per retention: an entry outlives its retention by at most 1/8 of it (at most a day) locally. */
const BUCKETS_PER_RETENTION = 8;

export class RetentionPolicy {
  /** The longest retention of all: the changelog's `retention.ms`. */
  readonly maxMs: number;

  constructor(private readonly settings: RetentionSettings) {
    this.maxMs = Math.max(settings.defaultMs, ...settings.byType.values());
  }

  retentionFor(type: string | undefined): number {
    return (type === undefined ? undefined : this.settings.byType.get(type)) ?? this.settings.defaultMs;
  }

  /** When an entry of time `t` of a twin of `type` expires (it is visible while now < expiry). */
  expiryOf(t: number, type: string | undefined): number {
    return t + this.retentionFor(type);
  }
}

/** Width of the buckets of a retention: a day for long ones, an eighth for short ones, at least 1 s. */
export function bucketWidth(retentionMs: number): number {
  return Math.min(DAY_MS, Math.max(1000, Math.ceil(retentionMs / BUCKETS_PER_RETENTION)));
}

/** The bucket (its end time) an entry with this expiry and retention belongs to: expiry rounded up. */
export function bucketEnd(expiresAt: number, retentionMs: number): number {
  const width = bucketWidth(retentionMs);
  return Math.ceil(expiresAt / width) * width;
}
