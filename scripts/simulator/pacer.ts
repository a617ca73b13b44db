/**
 * Calls `send(n)` so that, on average, `rate` items go out per second: a timer every few ms hands
 * out what is due since the start. When the process falls more than a second behind (a long GC,
 * an overloaded machine), the missed slots are dropped and counted instead of sent in one burst.
 */
export class Pacer {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private due = 0;
  /** Slots handed to `send` so far. */
  issued = 0;
  /** Slots dropped because the process fell behind. */
  skipped = 0;

  constructor(private readonly send: (n: number) => void) {}

  /** (Re)starts at `rate` items per second; the count of the new schedule starts at zero. */
  start(rate: number): void {
    this.stop();
    this.startedAt = performance.now();
    this.due = 0;
    const tickMs = Math.max(1, Math.min(20, Math.floor(1000 / rate)));
    this.timer = setInterval(() => this.tick(rate), tickMs);
  }

  private tick(rate: number): void {
    const target = Math.floor(((performance.now() - this.startedAt) / 1000) * rate);
    let n = target - this.due;
    if (n > rate) {
      this.skipped += n - Math.ceil(rate / 100);
      n = Math.ceil(rate / 100);
    }
    this.due = target;
    if (n <= 0) return;
    this.issued += n;
    this.send(n);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
