/**
 * Matches numbered device messages (telemetry `data.seq`) with the twins that show them: a twin
 * carrying seq N settles every message of that device up to N. Latencies are kept for messages
 * sent inside the recording window.
 */
export class SeqTracker {
  private readonly pending = new Map<string, { seq: number; at: number }[]>();
  private outstanding = 0;
  private from = Infinity;
  private to = Infinity;
  private samples: number[] = [];
  /** The send time of each sample, in the same order. */
  private sentAt: number[] = [];

  sent(deviceId: string, seq: number, atMs: number): void {
    let queue = this.pending.get(deviceId);
    if (!queue) this.pending.set(deviceId, (queue = []));
    queue.push({ seq, at: atMs });
    this.outstanding += 1;
  }

  seen(deviceId: string, seq: number, atMs: number): void {
    const queue = this.pending.get(deviceId);
    if (!queue) return;
    let n = 0;
    while (n < queue.length && queue[n]!.seq <= seq) {
      const { at } = queue[n]!;
      if (at >= this.from && at < this.to) {
        this.samples.push(atMs - at);
        this.sentAt.push(at);
      }
      n += 1;
    }
    if (n > 0) queue.splice(0, n);
    this.outstanding -= n;
  }

  /** Starts a new recording window [from, to) of send times; returns the samples of the last one. */
  record(fromMs: number, toMs = Infinity): number[] {
    const previous = this.samples;
    this.samples = [];
    this.sentAt = [];
    this.from = fromMs;
    this.to = toMs;
    return previous;
  }

  /** Ends the window at `toMs` (messages sent later are not recorded). */
  close(toMs: number): void {
    this.to = toMs;
  }

  /** Latencies (ms) recorded so far in the current window. */
  get latencies(): readonly number[] {
    return this.samples;
  }

  /** Latencies (ms) recorded so far of the messages sent in [fromMs, toMs). */
  latenciesSentBetween(fromMs: number, toMs: number): number[] {
    return this.samples.filter((_, i) => this.sentAt[i]! >= fromMs && this.sentAt[i]! < toMs);
  }

  /** Messages sent and not yet seen in a twin. */
  backlog(): number {
    return this.outstanding;
  }

  /** Messages sent before `beforeMs` (and at or after `fromMs`) that are still not seen. */
  unsettledBefore(beforeMs: number, fromMs = -Infinity): number {
    let n = 0;
    for (const queue of this.pending.values())
      for (const e of queue) if (e.at < beforeMs && e.at >= fromMs) n += 1;
    return n;
  }
}
