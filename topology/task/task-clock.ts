/** Where one input topic's partition stands: what is folded of it, and what its last fetch saw. */
interface InputProgress {
  /** The next offset to process. */
  next: bigint;
  /** The partition's end as of the last fetch (or the start-up read). */
  highWatermark: bigint;
  /** Timestamp of the last record folded from it, if any. */
  lastTimestampMs: number | undefined;
}

/**
 * The time a task's timers run at. Caught up, that is the wall clock. While the task is catching
 * up a backlog (some input partition's end lies beyond the next offset to process), it is stream
 * time instead: the timestamp of the last record folded from the lagging input that is furthest
 * behind. A record timestamp is the broker's append time, so nothing still waiting in a lagging
 * input is older than that: a device that spoke every few minutes a day ago is not marked unknown
 * because the processor was down, while one that really fell silent inside the backlog is, once
 * the backlog has been folded past its deadline. A lagging input with nothing folded yet holds the
 * timers (its next record's time is unknown). The clock never runs backwards.
 */
export class TaskClock {
  private readonly inputs = new Map<string, InputProgress>();
  private last = -Infinity;

  constructor(private readonly wallClock: () => number) {}

  /** A fetch (or the start-up read) of `topic`: `next` is the next offset to process. */
  observePosition(topic: string, next: bigint, highWatermark: bigint): void {
    const progress = this.inputs.get(topic);
    if (progress) {
      progress.next = next > progress.next ? next : progress.next;
      progress.highWatermark = highWatermark;
    } else this.inputs.set(topic, { next, highWatermark, lastTimestampMs: undefined });
  }

  /** A record of `topic` was folded and committed. */
  observeRecord(topic: string, timestampMs: number): void {
    const progress = this.inputs.get(topic);
    if (!progress) this.inputs.set(topic, { next: 0n, highWatermark: 0n, lastTimestampMs: timestampMs });
    else progress.lastTimestampMs = Math.max(progress.lastTimestampMs ?? -Infinity, timestampMs);
  }

  /** Whether some input has records beyond the next offset to process. */
  get lagging(): boolean {
    for (const p of this.inputs.values()) if (p.highWatermark > p.next) return true;
    return false;
  }

  /** The timers' time now; undefined while a lagging input has no folded record to tell its time. */
  now(): number | undefined {
    let time = this.wallClock();
    for (const p of this.inputs.values()) {
      if (p.highWatermark <= p.next) continue;
      if (p.lastTimestampMs === undefined) return undefined;
      time = Math.min(time, p.lastTimestampMs);
    }
    this.last = Math.max(this.last, time);
    return this.last;
  }
}
