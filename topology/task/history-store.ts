import type { RecordMetadata, TopicMessages } from 'kafkajs';
import type { Logger } from '../../shared/logger';
import type { ChangelogEntry, RestoreTarget } from '../changelog-reader';
import { BucketSet } from '../history/buckets';
import type { HistoryWrite } from '../history/recorder';
import type { HistoryMetrics } from '../history/metrics';
import { bucketOfKey } from '../history/keys';
import { openStorage, positionAfter, type CommittedStore } from './changelog-store';
import type { TaskStorage } from './storage';

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
  private pending: HistoryWrite[] = [];
  private position = 0;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly o: HistoryStoreOptions) {}

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
    this.o.metrics.track(this.o.storage);
    return { checkpointed: from !== undefined };
  }

  /** Replays the changelog, leaving out what has expired by now (its bucket ended). */
  restoreTarget(onApplied: (records: number) => void): RestoreTarget {
    return {
      topic: this.o.changelogTopic,
      partition: this.o.partition,
      fromOffset: this.position,
      apply: async (entries: ChangelogEntry[]) => {
        const now = this.o.now();
        const live: { key: string; value: Buffer }[] = [];
        for (const e of entries) {
          const bucket = bucketOfKey(e.key);
          if (e.value === null || !(bucket >= now)) continue;
          live.push({ key: e.key, value: e.value });
          this.buckets.add(bucket);
        }
        if (live.length > 0) await this.o.storage.store.write(live);
        this.position = Number(entries[entries.length - 1]!.offset) + 1;
        this.o.metrics.restored.inc(live.length);
        this.o.metrics.restoreSkipped.inc(entries.length - live.length);
        onApplied(entries.length);
      },
    };
  }

  restored(nextOffset: number): void {
    this.position = Math.max(this.position, nextOffset);
  }

  /** Adds entries to the commit in progress. */
  add(entries: readonly HistoryWrite[]): void {
    for (const e of entries) this.pending.push(e);
  }

  changelogRecords(): TopicMessages | undefined {
    if (this.pending.length === 0) return undefined;
    const { partition } = this.o;
    const messages = this.pending.map((e) => ({
      key: e.key,
      value: e.value,
      partition,
      timestamp: String(e.timestampMs),
    }));
    return { topic: this.o.changelogTopic, messages };
  }

  async committed(metadata: readonly RecordMetadata[], sent: TopicMessages | undefined): Promise<void> {
    this.position = positionAfter(metadata, sent, this.o.partition) ?? this.position;
    const written = this.pending;
    this.pending = [];
    if (written.length === 0) return;
    await this.o.storage.store.write(written.map((e) => ({ key: e.key, value: e.value })));
    let readings = 0;
    for (const e of written) {
      this.buckets.add(e.bucket);
      if (e.kind === 'reading') readings += 1;
    }
    if (readings > 0) this.o.metrics.written.inc({ kind: 'reading' }, readings);
    if (written.length > readings) this.o.metrics.written.inc({ kind: 'change' }, written.length - readings);
  }

  discard(): void {
    this.pending = [];
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
