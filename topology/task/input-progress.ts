/** Where one input topic's partition stands for a task. */
interface Progress {
  /** The next offset to process: everything before it is folded into the task's stores. */
  next: bigint;
  /** The partition's end as of the last fetch (or the start-up read). */
  highWatermark: bigint;
  /** Timestamp of the last record folded from it, if any. */
  lastTimestampMs: number | undefined;
}

/**
 * A task's position in each of its input partitions, from its own commits, its fetches and the
 * start-up read of the group's offsets. It tells whether the task is catching up a backlog (for
 * the timers, see TaskClock) and which fetched records it has already folded: kafkajs has no
 * KIP-447 `require_stable` offset fetch, so a consumer re-joining right after a transaction may
 * read the offsets from before it and fetch its records again.
 */
export class InputProgress {
  private readonly inputs = new Map<string, Progress>();

  /** `next` is the next offset to process; `highWatermark` the partition's end. Never moves `next` back. */
  observePosition(topic: string, next: bigint, highWatermark: bigint): void {
    const progress = this.inputs.get(topic);
    if (progress) {
      if (next > progress.next) progress.next = next;
      progress.highWatermark = highWatermark;
    } else this.inputs.set(topic, { next, highWatermark, lastTimestampMs: undefined });
  }

  /** A record of `topic` with this timestamp was folded and committed. */
  observeRecord(topic: string, timestampMs: number): void {
    const progress = this.inputs.get(topic);
    if (!progress) this.inputs.set(topic, { next: 0n, highWatermark: 0n, lastTimestampMs: timestampMs });
    else progress.lastTimestampMs = Math.max(progress.lastTimestampMs ?? -Infinity, timestampMs);
  }

  /** Whether the record at `offset` of `topic` is already folded into the stores. */
  isFolded(topic: string, offset: string): boolean {
    const progress = this.inputs.get(topic);
    return progress !== undefined && BigInt(offset) < progress.next;
  }

  /** Whether some input has records beyond the next offset to process. */
  get lagging(): boolean {
    for (const p of this.inputs.values()) if (p.highWatermark > p.next) return true;
    return false;
  }

  /**
   * The last folded record time of each lagging input: nothing still waiting there is older
   * (record timestamps are append times). Undefined for a lagging input with nothing folded yet.
   */
  laggingTimes(): (number | undefined)[] {
    const out: (number | undefined)[] = [];
    for (const p of this.inputs.values()) if (p.highWatermark > p.next) out.push(p.lastTimestampMs);
    return out;
  }
}
