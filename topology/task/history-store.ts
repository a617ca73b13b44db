import type { RecordMetadata, TopicMessages } from 'kafkajs';
import type { Logger } from '../../shared/logger';
import type { ChangelogEntry, RestoreTarget } from '../changelog-reader';
import { BucketSet } from '../history/buckets';
import type { HistoryWrite } from '../history/recorder';
import type { HistoryMetrics } from '../history/metrics';
import { bucketOfKey, isMetaKey } from '../history/keys';
import { RollUps } from '../history/rollup-upkeep';
import { openStorage, positionAfter, type CommittedStore } from './changelog-store';
import type { TaskStorage } from './storage';

/** Restored batches queued for LevelDB while the next ones are fetched. */
const RESTORE_IN_FLIGHT = 4;

export interface HistoryStoreOptions {
  readonly storage: TaskStorage;
  /** `<applicationId>-history-changelog`: cleanup.policy=delete, retention.ms = the longest retention. */
  readonly changelogTopic: string;
  readonly partition: number;
  /** Wall clock: expiry of entries (sweep, restore) and the checkpoint's `writtenAt`. */
  readonly now: () => number;
  readonly metrics: HistoryMetrics;
  readonly log: Logger;
}

/**
 * A task's history store (see topology/history/README.md): append-only entries keyed by expiry
 * bucket, device and time or version. It joins the task's commit like the twin store: the entries
 * a commit adds are its changelog records (in the same transaction under exactly_once) and are
 * written to the store only once the commit is durable; a failed commit forgets them. Expired
 * entries are deleted bucket by bucket (`sweep`), and skipped when restoring.
 */
export class HistoryStore implements CommittedStore {
  /** The buckets the store holds entries in. */
  readonly buckets = new BucketSet();
  /** The per-minute roll-ups of the readings (topology/history/rollup-upkeep.ts). */
  readonly rollups: RollUps;
  private pending: HistoryWrite[] = [];
  /** The roll-up entries of the pending ones (`prepare`). */
  private derived: HistoryWrite[] = [];
  private position = 0;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly o: HistoryStoreOptions) {
    this.rollups = new RollUps(() => this.o.storage.store, o.now);
  }

  get changelogTopic(): string {
    return this.o.changelogTopic;
  }

  get store(): TaskStorage['store'] {
    return this.o.storage.store;
  }

  private get checkpointKey(): string {
    return `${this.o.changelogTopic}:${this.o.partition}`;
  }

  async open({ dropCheckpoint }: { dropCheckpoint: boolean }): Promise<{ checkpointed: boolean }> {
    const from = await openStorage(this.o.storage, this.checkpointKey, dropCheckpoint);
    this.position = from ?? 0;
    await this.buckets.discover(this.o.storage.store);
    await this.rollups.open();
    this.o.metrics.track(this.o.storage);
    return { checkpointed: from !== undefined };
  }

  /**
   * Replays the changelog, leaving out what has expired by now (its bucket ended). A fetched batch
   * is handed to LevelDB and the next one fetched meanwhile: writes stay in changelog order (one
   * at a time, a later roll-up of a minute wins), at most RESTORE_IN_FLIGHT batches are queued, and
   * `finish` resolves once all are in the store.
   */
  restoreTarget(onApplied: (records: number) => void): RestoreTarget {
    let tail: Promise<void> = Promise.resolve();
    let queued = 0;
    let failed: { error: unknown } | undefined;
    const settled = async (): Promise<void> => {
      await tail;
      if (failed) throw failed.error;
    };
    return {
      topic: this.o.changelogTopic,
      partition: this.o.partition,
      fromOffset: this.position,
      apply: async (entries: ChangelogEntry[]) => {
        if (failed) throw failed.error;
        const now = this.o.now();
        const live: { key: string; value: Buffer }[] = [];
        for (const e of entries) {
          if (e.value === null) continue;
          if (isMetaKey(e.key)) {
            live.push({ key: e.key, value: e.value });
            this.rollups.restoredMeta(e.key, e.value);
            continue;
          }
          const bucket = bucketOfKey(e.key);
          if (!(bucket >= now)) continue;
          live.push({ key: e.key, value: e.value });
          this.buckets.add(bucket);
        }
        const next = Number(entries[entries.length - 1]!.offset) + 1;
        queued += 1;
        tail = tail
          .then(async () => {
            if (failed) return;
            if (live.length > 0) await this.o.storage.store.write(live);
            this.position = next;
            this.o.metrics.restored.inc(live.length);
            this.o.metrics.restoreSkipped.inc(entries.length - live.length);
            onApplied(entries.length);
          })
          .catch((error: unknown) => void (failed ??= { error }))
          .finally(() => void (queued -= 1));
        if (queued >= RESTORE_IN_FLIGHT) await settled();
      },
      finish: settled,
    };
  }

  restored(nextOffset: number): void {
    this.position = Math.max(this.position, nextOffset);
  }

  /** Derives the roll-ups of the commit in progress (call before `changelogRecords`). */
  async prepare(): Promise<void> {
    this.derived = await this.rollups.writesFor(this.pending, this.buckets.size > 0);
  }

  /** Adds entries to the commit in progress. */
  add(entries: readonly HistoryWrite[]): void {
    for (const e of entries) this.pending.push(e);
  }

  changelogRecords(): TopicMessages | undefined {
    if (this.pending.length === 0 && this.derived.length === 0) return undefined;
    const { partition } = this.o;
    const messages = [...this.pending, ...this.derived].map((e) => ({
      key: e.key,
      value: e.value,
      partition,
      timestamp: String(e.timestampMs),
    }));
    return { topic: this.o.changelogTopic, messages };
  }

  async committed(metadata: readonly RecordMetadata[], sent: TopicMessages | undefined): Promise<void> {
    this.position = positionAfter(metadata, sent, this.o.partition) ?? this.position;
    const written = [...this.pending, ...this.derived];
    this.pending = [];
    this.derived = [];
    if (written.length === 0) return;
    await this.o.storage.store.write(written.map((e) => ({ key: e.key, value: e.value })));
    this.rollups.committed();
    const counts = new Map<HistoryWrite['kind'], number>();
    for (const e of written) {
      if (e.kind !== 'meta') this.buckets.add(e.bucket);
      counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    }
    for (const [kind, n] of counts) this.o.metrics.written.inc({ kind }, n);
  }

  discard(): void {
    this.pending = [];
    this.derived = [];
    this.rollups.discard();
  }

  async flush(): Promise<void> {
    // Entries are written when their commit is durable; nothing waits here.
  }

  async writeCheckpoint(): Promise<void> {
    await this.o.storage.writeCheckpoint({
      changelogOffsets: { [this.checkpointKey]: String(this.position) },
      writtenAt: new Date(this.o.now()).toISOString(),
    });
  }

  /**
   * Deletes every bucket that ended before now, in the background (one at a time): one range
   * delete, whose cost is the expired entries, never the live ones. Nothing to do costs a compare.
   */
  sweep(): Promise<void> {
    const now = this.o.now();
    if (this.sweeping !== undefined) return this.sweeping;
    if (!this.buckets.anyBefore(now)) return Promise.resolve();
    this.sweeping = this.sweepBefore(now)
      .then(() => undefined)
      .catch((err: unknown) => this.o.log.warn('history sweep failed; it will run again', { error: err }))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Deletes the buckets that ended before `now`; resolves with how many entries went. */
  private async sweepBefore(now: number): Promise<number> {
    const swept = await this.o.storage.store.clearRange({ lt: this.buckets.boundBefore(now) });
    this.buckets.dropBefore(now);
    this.o.metrics.swept.inc(swept);
    return swept;
  }

  async close(): Promise<void> {
    await this.sweeping;
    this.o.metrics.untrack(this.o.storage);
    await this.o.storage.store.close().catch(() => undefined);
  }
}
