/**
 * A single ordered pipeline of batches: items are written in the order they were pushed, one batch
 * at a time, and `onWritten` sees each batch only after `write` resolved for it. Nothing is ever
 * reordered, so per-key order holds for any key. A failed write is retried (same batch, same order,
 * exponential backoff with jitter) until it succeeds or the batcher is closed; a batch is never
 * skipped.
 *
 * Batching: an idle batcher waits `lingerMs` after the first push (or until a batch is full); while
 * a write is in progress new items queue up and go out together as soon as it ends.
 *
 *   push → pending ──(full, linger elapsed, or previous write done)──► writing ──► onWritten
 *                                                                        │ ▲
 *                                                                  error └─┘ backoff, retry
 */
export interface Sized {
  /** Approximate bytes, for batch and memory limits. */
  readonly bytes: number;
}

export interface OrderedBatcherOptions<T extends Sized> {
  /** Writes one batch; resolves once it is durable. May be retried with the same batch. */
  write: (batch: readonly T[]) => Promise<void>;
  /** Called once per written batch, in order. */
  onWritten: (batch: readonly T[]) => void;
  /** Called on each failed attempt; `attempt` counts from 1. */
  onWriteError?: (error: unknown, attempt: number, batch: readonly T[]) => void;
  maxBatchItems: number;
  maxBatchBytes: number;
  lingerMs: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
}

export class OrderedBatcher<T extends Sized> {
  private pending: T[] = [];
  private pendingBytes = 0;
  private writing: readonly T[] = [];
  private writingBytes = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private waiters: Waiter[] = [];
  private wakeBackoff: (() => void) | undefined;

  constructor(private readonly options: OrderedBatcherOptions<T>) {}

  /** Items pushed and not yet written (queued plus the batch being written). */
  get size(): number {
    return this.pending.length + this.writing.length;
  }

  get bytes(): number {
    return this.pendingBytes + this.writingBytes;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues an item behind every item pushed before it. Throws once closed. */
  push(item: T): void {
    if (this.closed) throw new Error('OrderedBatcher is closed');
    this.pending.push(item);
    this.pendingBytes += item.bytes;
    if (this.loop) return; // the running loop takes it when the current write ends
    if (this.lingerMs() === 0 || this.pendingFillsBatch()) this.startLoop();
    else this.lingerTimer ??= setTimeout(() => this.startLoop(), this.lingerMs());
  }

  /** Resolves when fewer than `maxItems` items and `maxBytes` bytes are unwritten, or on close. */
  whenBelow(maxItems: number, maxBytes: number): Promise<void> {
    const ready = (): boolean => this.closed || (this.size < maxItems && this.bytes < maxBytes);
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  /**
   * Removes queued items (never the batch being written) for which `drop` holds; they will not be
   * written nor reach `onWritten`. Returns how many were removed.
   */
  discard(drop: (item: T) => boolean): number {
    const before = this.pending.length;
    this.pending = this.pending.filter((item) => !drop(item));
    this.pendingBytes = this.pending.reduce((sum, item) => sum + item.bytes, 0);
    this.notify();
    return before - this.pending.length;
  }

  /** Writes everything queued now (no linger); resolves true once empty, false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.startLoop();
    const empty = this.whenBelow(1, 1).then(() => this.size === 0);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([empty, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops: no new pushes, no more retries, queued items are dropped unwritten. Resolves when the
   * write in progress, if any, has settled (if it succeeded, its batch reached `onWritten`).
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.wakeBackoff?.();
    this.pending = [];
    this.pendingBytes = 0;
    this.notify();
    await this.loop;
  }

  private lingerMs(): number {
    return this.options.lingerMs;
  }

  private pendingFillsBatch(): boolean {
    return (
      this.pending.length >= this.options.maxBatchItems || this.pendingBytes >= this.options.maxBatchBytes
    );
  }

  private startLoop(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.loop || this.closed || this.pending.length === 0) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      // An item pushed between the loop's last check and this callback would otherwise wait.
      if (this.pending.length > 0) this.startLoop();
    });
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const batch = this.takeBatch();
      this.writing = batch;
      this.writingBytes = batch.reduce((sum, item) => sum + item.bytes, 0);
      const written = await this.writeWithRetry(batch);
      this.writing = [];
      this.writingBytes = 0;
      if (written) this.options.onWritten(batch);
      this.notify();
    }
  }

  /** The longest prefix of `pending` within the item and byte limits (at least one item). */
  private takeBatch(): T[] {
    const { maxBatchItems, maxBatchBytes } = this.options;
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length && count < maxBatchItems) {
      const next = this.pending[count]!.bytes;
      if (count > 0 && bytes + next > maxBatchBytes) break;
      bytes += next;
      count++;
    }
    this.pendingBytes -= bytes;
    return this.pending.splice(0, count);
  }

  private async writeWithRetry(batch: readonly T[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.write(batch);
        return true;
      } catch (err) {
        this.options.onWriteError?.(err, attempt, batch);
        if (this.closed) return false;
        await this.backoff(attempt);
        if (this.closed) return false;
      }
    }
  }

  private backoff(attempt: number): Promise<void> {
    const initial = this.options.retryInitialMs ?? 100;
    const max = this.options.retryMaxMs ?? 5000;
    const delay = Math.min(max, initial * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeBackoff = done;
    }).finally(() => {
      this.wakeBackoff = undefined;
    });
  }

  private notify(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.ready()) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
