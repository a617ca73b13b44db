import type { KafkaMessage, RecordMetadata, TopicMessages } from 'kafkajs';
import { isDeviceId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { InputKind } from '../shared/topics';
import type { RestoreResult, RestoreTarget } from './changelog-reader';
import type { CommitNotice } from './commit-notice';
import { DeadlineIndex } from './deadline-index';
import type { ProcessorMetrics } from './metrics';
import type { ProcessorSettings } from './processor-settings';
import { SerialQueue } from './serial-queue';
import { ChangelogStore, type CommittedStore } from './task/changelog-store';
import type { Committer, InputPosition } from './task/committer';
import type { TaskStorage } from './task/storage';
import { InputProgress } from './task/input-progress';
import { TaskClock } from './task/task-clock';
import { CommitDraft, TwinFolder } from './task/twin-folder';
import { liveTwin, nextDeadline, type StoredTwin } from './twin';
import { storedTwinCodec } from './twin-codec';
import { HistoryRecorder } from './history/recorder';
import { PartitionHistory } from './history/partition-history';
import type { HistoryQueries } from './history/queries';
import { HistoryStore } from './task/history-store';
import { accountChange, emptyCounts } from './twin-stats';

export type TaskStatus = 'created' | 'restoring' | 'running' | 'closed';

/** Told after each commit whose changes are in the store (see commit-notice.ts); must not throw. */
export type CommitListener = (notice: CommitNotice) => void;

export type TaskSettings = Pick<
  ProcessorSettings,
  'topics' | 'changelogTopic' | 'limits' | 'foldConfig' | 'cacheMaxEntries'
> &
  Partial<Pick<ProcessorSettings, 'history' | 'formats'>>;

export interface PartitionTaskOptions {
  readonly partition: number;
  readonly settings: TaskSettings;
  /** How commits are made durable: one per processing guarantee (see task/committer.ts). */
  readonly committer: Committer;
  /** Where the twin store and its checkpoint live. */
  readonly storage: TaskStorage;
  /** Where the history store lives; used when `settings.history` is set (HISTORY=on). */
  readonly historyStorage?: TaskStorage;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  /** The wall clock (ms); the timers follow it once the task has caught up. Default Date.now. */
  readonly now?: () => number;
  readonly onCommitted?: CommitListener;
}

/** Where one fetched batch ends: its last offset and the partition's end when it was fetched. */
export interface BatchPosition {
  readonly lastOffset: string;
  readonly highWatermark: string;
}

/**
 * One input partition number (Kafka Streams' StreamTask): its twin store with its write-back
 * cache, its timers, and its committer. Each batch is folded and committed as one unit: changelog,
 * outputs, dead letters and (per the committer) input offsets, then one store write batch.
 *
 * Store validity under exactly_once follows Kafka Streams: a checkpoint file is written only on a
 * clean close and removed when the store opens, so a crash leaves none and the next owner wipes
 * the store and rebuilds it from the changelog.
 */
export class PartitionTask {
  status: TaskStatus = 'created';
  readonly partition: number;
  readonly counts = emptyCounts();
  /** Where the task stands in each input partition (backlog, records already folded). */
  readonly inputs = new InputProgress();
  private readonly clock: TaskClock;
  private readonly twins: ChangelogStore<StoredTwin>;
  /** Every store of the task, committed together (the history, if any, before the twins). */
  private readonly stores: CommittedStore[];
  private readonly folder: TwinFolder;
  private readonly historyStore: HistoryStore | undefined;
  /** The history reads of this task; undefined when HISTORY=off. */
  readonly history: HistoryQueries | undefined;
  private readonly queue = new SerialQueue();
  private readonly deadlines = new DeadlineIndex();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: PartitionTaskOptions) {
    this.partition = o.partition;
    this.now = o.now ?? Date.now;
    this.clock = new TaskClock(this.now, this.inputs);
    this.log = o.logger.child('task', { partition: o.partition });
    this.twins = new ChangelogStore({
      storage: o.storage,
      codec: storedTwinCodec,
      changelogTopic: o.settings.changelogTopic,
      partition: o.partition,
      cacheMaxEntries: o.settings.cacheMaxEntries,
      now: this.now,
    });
    const { history } = o.settings;
    this.historyStore =
      history && o.historyStorage
        ? new HistoryStore({
            storage: o.historyStorage,
            changelogTopic: history.changelogTopic,
            partition: o.partition,
            now: this.now,
            metrics: o.metrics.history,
            log: this.log,
          })
        : undefined;
    this.history =
      this.historyStore && new PartitionHistory(this.historyStore, (id) => this.read(id), this.now);
    // The history store is written before the twins: a reader that saw a twin version finds its
    // history entry (a point-in-time read walks back from the twin it read).
    this.stores = this.historyStore ? [this.historyStore, this.twins] : [this.twins];
    this.folder = new TwinFolder({
      partition: o.partition,
      settings: o.settings,
      twins: this.twins,
      deadlines: this.deadlines,
      counts: this.counts,
      metrics: o.metrics,
      log: this.log,
      ...(history && this.historyStore
        ? { history: { recorder: new HistoryRecorder(history.retention), store: this.historyStore } }
        : {}),
    });
  }

  /**
   * Fences any previous owner (exactly_once), opens the stores and returns what must be restored:
   * from the checkpoint when a store was closed cleanly, else everything, into a wiped store.
   */
  async open(): Promise<RestoreTarget[]> {
    await this.o.committer.open();
    const dropCheckpoint = !this.o.committer.checkpointsWhileRunning;
    const targets: RestoreTarget[] = [];
    for (const store of this.stores) {
      const { checkpointed } = await store.open({ dropCheckpoint });
      const target = store.restoreTarget((n) => this.o.metrics.restoredRecords.inc(n));
      targets.push(target);
      this.log.info('task opened', {
        store: target.topic,
        restoreFrom: target.fromOffset,
        checkpoint: checkpointed,
      });
    }
    this.status = 'restoring';
    return targets;
  }

  /** After restoration: one pass over the twin store for the timer index and the fleet gauges. */
  async startProcessing(restored: readonly RestoreResult[]): Promise<void> {
    for (const r of restored) this.stores.find((s) => s.changelogTopic === r.topic)?.restored(r.nextOffset);
    for await (const [key, bytes] of this.twins.iterate()) {
      const state = liveTwin(storedTwinCodec.decode(bytes));
      if (state === undefined) continue;
      accountChange(this.counts, undefined, state);
      this.deadlines.set(key, nextDeadline(state, this.o.settings.foldConfig));
    }
    this.status = 'running';
  }

  /**
   * Where an input partition stands (from a fetch, or read at start-up): `next` is the next offset
   * to process, `highWatermark` the partition's end. The timers use it to tell a backlog.
   */
  observeInput(topic: string, next: string, highWatermark: string): void {
    this.inputs.observePosition(topic, BigInt(next), BigInt(highWatermark));
  }

  /**
   * Folds one fetched batch of one input topic and commits it. Records this task has already
   * folded (fetched again after a re-join, see InputProgress) are skipped. Throws only when it
   * could not commit.
   */
  processBatch(topic: string, kind: InputKind, messages: KafkaMessage[], at: BatchPosition): Promise<void> {
    return this.queue.run(async () => {
      const fresh = messages.filter((m) => !this.inputs.isFolded(topic, m.offset));
      if (fresh.length < messages.length)
        this.log.warn('skipped records this task has already folded', {
          topic,
          skipped: messages.length - fresh.length,
          firstOffset: messages[0]?.offset,
        });
      const nextOffset = String(BigInt(at.lastOffset) + 1n);
      if (fresh.length === 0) {
        this.observeInput(topic, nextOffset, at.highWatermark);
        return;
      }
      const draft = new CommitDraft(this.o.settings);
      // Schema ids are resolved here, asynchronously, so the fold's decode stays synchronous.
      await this.o.settings.formats?.inputs?.prepare(fresh.map((m) => m.value));
      const keys = fresh.map((m) => m.key?.toString('utf8')).filter(isDeviceId);
      await this.twins.cache.load(keys);
      for (const m of fresh) this.folder.foldRecord(topic, kind, m, draft);
      await this.commit(draft, { topic, nextOffset });
      for (const m of fresh) this.inputs.observeRecord(topic, Number(m.timestamp));
      this.observeInput(topic, nextOffset, at.highWatermark);
      this.notify(draft);
      this.o.metrics.batchSize.observe(fresh.length);
    });
  }

  /**
   * The timers: expire commands and mark silent twins unknown, at the task's clock (the wall clock
   * once caught up; stream time while catching up a backlog, see TaskClock).
   */
  tick(): Promise<void> {
    return this.queue.run(async () => {
      if (this.status !== 'running') return;
      void this.sweepHistory();
      const nowMs = this.clock.now();
      if (nowMs === undefined) return;
      const due = this.deadlines.due(nowMs);
      if (due.length === 0) return;
      await this.twins.cache.load(due);
      const draft = new CommitDraft(this.o.settings);
      for (const key of due) this.folder.tick(key, nowMs, draft);
      await this.commit(draft, undefined);
      this.notify(draft);
    });
  }

  /**
   * Deletes the expired buckets of the history store, in the background of the timers (a sweep
   * never holds up a batch); resolves when the sweep running now, if any, is done.
   */
  sweepHistory(): Promise<void> {
    return this.historyStore?.sweep() ?? Promise.resolve();
  }

  private async commit(draft: CommitDraft, input: InputPosition | undefined): Promise<void> {
    const began = process.hrtime.bigint();
    try {
      for (const s of this.stores) await s.prepare?.();
    } catch (err) {
      for (const s of this.stores) s.discard();
      throw err;
    }
    const changelogs = this.stores.map((s) => s.changelogRecords());
    const records = [
      ...changelogs.filter((c): c is TopicMessages => c !== undefined),
      ...draft.out.topicMessages(),
    ];
    const unit = { records, input };
    let metadata: RecordMetadata[];
    try {
      metadata = await this.o.committer.send(unit);
    } catch (err) {
      for (const s of this.stores) s.discard();
      throw err;
    }
    for (const [i, s] of this.stores.entries()) await s.committed(metadata, changelogs[i]);
    await this.o.committer.afterStoreWrite(unit, { checkpoint: () => this.writeCheckpoints() });
    this.o.metrics.commitSeconds.observe(
      { guarantee: this.o.committer.guarantee },
      Number(process.hrtime.bigint() - began) / 1e9,
    );
  }

  private async writeCheckpoints(): Promise<void> {
    for (const s of this.stores) await s.writeCheckpoint();
  }

  /** After the commit and the store write: readers woken now see the changes. */
  private notify({ changes }: CommitDraft): void {
    if (changes.length === 0) return;
    try {
      this.o.onCommitted?.({ partition: this.partition, changes });
    } catch (err) {
      // A listener's bug must not fail a batch that is already committed.
      this.log.error('commit listener failed', { error: err });
    }
  }

  /**
   * Stops the task once its current batch is done. A clean close checkpoints the stores so the next
   * owner on this machine only catches up; `clean: false` (after an error) leaves no checkpoint.
   */
  close({ clean }: { clean: boolean }): Promise<void> {
    return this.queue.run(async () => {
      if (this.status === 'closed') return;
      const wasRunning = this.status === 'running';
      this.status = 'closed';
      if (clean && wasRunning) {
        for (const s of this.stores) await s.flush();
        await this.writeCheckpoints();
      }
      for (const s of this.stores) await s.close();
      await this.o.committer.close();
      this.log.info('task closed', {
        clean,
        checkpointed: clean && wasRunning,
        changelogPosition: this.twins.changelogPosition,
      });
    });
  }

  /** Read access for the query API (a twin, or the grave of a deleted one); undefined when the task does not serve reads now. */
  async read(deviceId: string): Promise<StoredTwin | undefined> {
    if (this.status !== 'running') return undefined;
    return this.twins.get(deviceId);
  }

  iterateStore(after?: string): AsyncIterable<[string, Buffer]> {
    return this.twins.iterate(after);
  }
}
