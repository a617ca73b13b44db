import { Counter, Gauge, type Registry } from 'prom-client';

/** Something whose size on disk the bytes gauge adds up (a history store of a running task). */
export interface SizedStore {
  bytesOnDisk(): Promise<number>;
}

/** Metrics of the history stores of this instance. */
export class HistoryMetrics {
  readonly written: Counter<'kind'>;
  readonly swept: Counter;
  readonly restored: Counter;
  readonly restoreSkipped: Counter;
  private readonly stores = new Set<SizedStore>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.written = new Counter({
      name: 'twinfold_history_entries_written_total',
      help: 'History entries committed, by kind (reading, change, rollup, meta)',
      labelNames: ['kind'],
      registers,
    });
    this.swept = new Counter({
      name: 'twinfold_history_entries_swept_total',
      help: 'Expired history entries deleted from the local stores',
      registers,
    });
    this.restored = new Counter({
      name: 'twinfold_history_restored_entries_total',
      help: 'History entries written while restoring stores from the changelog (restore progress)',
      registers,
    });
    this.restoreSkipped = new Counter({
      name: 'twinfold_history_restore_skipped_entries_total',
      help: 'History changelog records skipped while restoring because they had already expired',
      registers,
    });
    const stores = this.stores;
    new Gauge({
      name: 'twinfold_history_store_bytes',
      help: 'Bytes on disk of the history stores of the partitions this instance runs',
      registers,
      async collect() {
        let total = 0;
        for (const s of stores) total += await s.bytesOnDisk().catch(() => 0);
        this.set(total);
      },
    });
  }

  track(store: SizedStore): void {
    this.stores.add(store);
  }

  untrack(store: SizedStore): void {
    this.stores.delete(store);
  }
}
