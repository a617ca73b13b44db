import type { OfflineTimer } from './uplink-map';

/**
 * One pending `offline` per device whose Hono `ttd` window is open; a newer window or an explicit
 * status replaces it. In memory only: after a restart, a window that was open is closed by the
 * processor's OFFLINE_AFTER_MS silence rule instead (the twin turns `unknown`).
 */
export class OfflineTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly fire: (twinId: string) => void,
    private readonly onSize: (size: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  apply({ twinId, offlineAtMs }: OfflineTimer): void {
    const previous = this.timers.get(twinId);
    if (previous !== undefined) clearTimeout(previous);
    this.timers.delete(twinId);
    if (offlineAtMs !== null) {
      const timer = setTimeout(
        () => {
          this.timers.delete(twinId);
          this.onSize(this.timers.size);
          this.fire(twinId);
        },
        Math.max(0, offlineAtMs - this.now()),
      );
      timer.unref();
      this.timers.set(twinId, timer);
    }
    this.onSize(this.timers.size);
  }

  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.onSize(0);
  }
}
