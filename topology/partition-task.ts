import { join } from 'node:path';
import {
  Partitioners,
  type Kafka,
  type KafkaMessage,
  type Producer,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs';
import { deadLetter } from '../shared/dead-letter';
import { toTwinfoldError } from '../shared/errors';
import { isDeviceId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { InputKind } from '../shared/topics';
import {
  deleteCheckpoint,
  LevelStore,
  readCheckpoint,
  TwinCache,
  wipeStoreDirectory,
  writeCheckpoint,
} from '../store';
import type { ChangelogEntry, RestoreTarget } from './changelog-reader';
import {
  committedChange,
  deadLetteredChange,
  type CommitNotice,
  type CommittedChange,
} from './commit-notice';
import { DeadlineIndex } from './deadline-index';
import type { ProcessorMetrics } from './metrics';
import { OutputBuffer } from './output-buffer';
import { chunkTopicMessages } from './produce-chunks';
import type { ProcessorSettings } from './processor-settings';
import { SerialQueue } from './serial-queue';
import {
  decodeInput,
  foldTwin,
  liveTwin,
  nextDeadline,
  tickTwin,
  type FoldResult,
  type StoredTwin,
  type TwinInput,
} from './twin';
import { encodeWithinLimit, storedTwinCodec } from './twin-codec';
import { accountChange, emptyCounts, type TwinCounts } from './twin-stats';

const CHECKPOINT_INTERVAL_MS = 5000;
/** Below the broker's default message.max.bytes (1 MB), with room for batch overhead. */
const MAX_SEND_BYTES = 512 * 1024;

export type TaskStatus = 'created' | 'restoring' | 'running' | 'closed';

/** How a batch's input offsets are committed: in the transaction, or by the consumer afterwards. */
export type OffsetCommitter = (topic: string, partition: number, nextOffset: string) => Promise<void>;

/** Told after each commit whose changes are in the store (see commit-notice.ts); must not throw. */
export type CommitListener = (notice: CommitNotice) => void;

/**
 * One input partition number: its LevelDB store, its write-back cache and, under exactly_once, its
 * own transactional producer (`<applicationId>-<partition>`, so a new owner fences the old one;
 * kafkajs has no KIP-447). Each batch is folded and committed as one unit: changelog, outputs,
 * dead letters and input offsets in one transaction, then one store write batch.
 *
 * Store validity under exactly_once follows Kafka Streams: a checkpoint file is written only on a
 * clean close and removed when processing starts, so a crash leaves none and the next owner wipes
 * the store and rebuilds it from the changelog.
 */
export class PartitionTask {
  status: TaskStatus = 'created';
  readonly counts: TwinCounts = emptyCounts();
  private readonly dir: string;
  private readonly store: LevelStore;
  private readonly cache: TwinCache<StoredTwin>;
  private readonly queue = new SerialQueue();
  private readonly deadlines = new DeadlineIndex();
  private producer: Producer | undefined;
  /** Next changelog offset after everything in the store; what a clean close checkpoints. */
  private changelogPosition = 0;
  private lastCheckpointAt = 0;
  private readonly log: Logger;

  constructor(
    readonly partition: number,
    private readonly kafka: Kafka,
    private readonly settings: ProcessorSettings,
    private readonly metrics: ProcessorMetrics,
    logger: Logger,
    private readonly sharedProducer: Producer | undefined,
    private readonly commitOffsets: OffsetCommitter | undefined,
    private readonly onCommitted: CommitListener = () => undefined,
  ) {
    this.dir = join(settings.stateDir, settings.applicationId, `partition-${partition}`);
    this.store = new LevelStore(`twins-${partition}`, this.dir);
    this.cache = new TwinCache({
      store: this.store,
      codec: storedTwinCodec,
      maxEntries: settings.cacheMaxEntries,
    });
    this.log = logger.child('task', { partition });
  }

  private get exactlyOnce(): boolean {
    return this.settings.guarantee === 'exactly_once';
  }

  /**
   * Fences any previous owner (exactly_once), opens the store and returns what must be restored:
   * from the checkpoint when the store was closed cleanly, else everything, into a wiped store.
   */
  async open(): Promise<RestoreTarget> {
    if (this.exactlyOnce) {
      this.producer = this.kafka.producer({
        transactionalId: `${this.settings.applicationId}-${this.partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60000,
        createPartitioner: Partitioners.DefaultPartitioner,
        // The next transaction of a partition often starts while the broker is still writing the
        // previous one's markers (CONCURRENT_TRANSACTIONS); kafkajs's default 100 ms doubling
        // backoff turned that into seconds of latency. The Java client retries this after ~20 ms.
        retry: { initialRetryTime: 15, maxRetryTime: 1000, factor: 0.2, multiplier: 1.5, retries: 12 },
      });
      await this.producer.connect();
    }
    const checkpoint = await readCheckpoint(this.dir);
    const from = checkpoint?.changelogOffsets[`${this.settings.changelogTopic}:${this.partition}`];
    if (from === undefined) await wipeStoreDirectory(this.dir);
    // Under exactly_once a store with no checkpoint may hold writes of an aborted transaction.
    if (this.exactlyOnce) await deleteCheckpoint(this.dir);
    await this.store.open();
    this.changelogPosition = from === undefined ? 0 : Number(from);
    this.status = 'restoring';
    this.log.info('task opened', { restoreFrom: this.changelogPosition, checkpoint: from !== undefined });
    return {
      partition: this.partition,
      fromOffset: this.changelogPosition,
      apply: (entries) => this.applyChangelog(entries),
    };
  }

  private async applyChangelog(entries: ChangelogEntry[]): Promise<void> {
    await this.store.write(entries.map((e) => ({ key: e.key, value: e.value })));
    this.changelogPosition = Number(entries[entries.length - 1]!.offset) + 1;
    this.metrics.restoredRecords.inc(entries.length);
  }

  /** After restoration: one pass over the store for the timer index and the fleet gauges. */
  async startProcessing(restoredPosition: number): Promise<void> {
    this.changelogPosition = Math.max(this.changelogPosition, restoredPosition);
    for await (const [key, bytes] of this.store.iterate()) {
      const state = liveTwin(storedTwinCodec.decode(bytes));
      if (state === undefined) continue;
      accountChange(this.counts, undefined, state);
      this.deadlines.set(key, nextDeadline(state, this.settings.foldConfig));
    }
    this.status = 'running';
  }

  /** Folds one fetched batch of one input topic and commits it. Throws only when it could not commit. */
  processBatch(topic: string, kind: InputKind, messages: KafkaMessage[], lastOffset: string): Promise<void> {
    return this.queue.run(async () => {
      const out = new OutputBuffer(this.settings.topics);
      const changes: CommittedChange[] = [];
      const keys = messages.map((m) => m.key?.toString('utf8')).filter(isDeviceId);
      await this.cache.load(keys);
      for (const m of messages) this.foldRecord(topic, kind, m, out, changes);
      await this.commit(out, { topic, nextOffset: String(BigInt(lastOffset) + 1n) });
      this.notify(changes);
      this.metrics.batchSize.observe(messages.length);
    });
  }

  private foldRecord(
    topic: string,
    kind: InputKind,
    m: KafkaMessage,
    out: OutputBuffer,
    changes: CommittedChange[],
  ): void {
    const timestampMs = Number(m.timestamp);
    const key = m.key?.toString('utf8') ?? '';
    let input: TwinInput | undefined;
    let before: StoredTwin | undefined;
    try {
      input = decodeInput(kind, key, m.value, timestampMs, this.settings.limits);
      before = this.cache.get(key);
      const result = foldTwin(before, input, { nowMs: timestampMs, config: this.settings.foldConfig });
      this.apply(key, before, result, timestampMs, out, changes, input);
      this.metrics.records.inc({ topic, outcome: result.outcome });
      if (result.reason === 'unknown-command-ack') this.metrics.unknownAcks.inc();
    } catch (err) {
      const error = toTwinfoldError(err);
      out.add(
        this.settings.topics.dlq,
        deadLetter(
          { component: 'processor', topic, partition: this.partition, offset: m.offset },
          m.key,
          m.value,
          error,
          timestampMs,
        ),
      );
      const change = deadLetteredChange(key, input, before, error);
      if (change) changes.push(change);
      this.metrics.records.inc({ topic, outcome: 'dead-letter' });
      this.metrics.deadLetters.inc({ code: error.code });
      if (error.code === 'INTERNAL')
        this.log.error('fold failed; record sent to the dead-letter topic', {
          topic,
          offset: m.offset,
          error: err,
        });
    }
  }

  private apply(
    key: string,
    before: StoredTwin | undefined,
    result: FoldResult,
    timestampMs: number,
    out: OutputBuffer,
    changes: CommittedChange[],
    input?: TwinInput,
  ): void {
    // A deleted twin leaves its grave in the store and changelog (device.twins gets the tombstone).
    // A twin past MAX_TWIN_BYTES would be refused by the broker at every commit and block the
    // partition for good: throwing here, before anything is cached or emitted, dead-letters the
    // record and leaves the twin as it was.
    const stored = result.state === null ? (result.grave ?? null) : result.state;
    const encoded = stored === undefined || stored === null ? null : encodeWithinLimit(stored);
    const change = committedChange(key, input, before, result);
    if (change) changes.push(change);
    if (result.state === undefined && result.events.length === 0 && result.downlink.length === 0) return;
    if (result.state !== undefined) {
      this.cache.put(key, stored ?? null, encoded);
      accountChange(this.counts, liveTwin(before), result.state);
      this.deadlines.set(
        key,
        result.state === null ? null : nextDeadline(result.state, this.settings.foldConfig),
      );
    }
    // A rejection (e.g. a desired patch with a stale If-Match) changes no twin but is still news.
    out.addChange(key, result.state, result.events, result.downlink, timestampMs);
    for (const e of result.events)
      if (e.type === 'command.status' && e.data.status === 'expired') this.metrics.commandsExpired.inc();
  }

  /** The wall-clock timer: expires commands and marks silent twins unknown. */
  tick(nowMs: number): Promise<void> {
    return this.queue.run(async () => {
      if (this.status !== 'running') return;
      const due = this.deadlines.due(nowMs);
      if (due.length === 0) return;
      await this.cache.load(due);
      const out = new OutputBuffer(this.settings.topics);
      const changes: CommittedChange[] = [];
      for (const key of due) {
        const before = liveTwin(this.cache.get(key));
        if (!before) continue;
        this.apply(key, before, tickTwin(before, nowMs, this.settings.foldConfig), nowMs, out, changes);
      }
      await this.commit(out, undefined);
      this.notify(changes);
    });
  }

  private async commit(
    out: OutputBuffer,
    input: { topic: string; nextOffset: string } | undefined,
  ): Promise<void> {
    const began = process.hrtime.bigint();
    const changelog: TopicMessages = {
      topic: this.settings.changelogTopic,
      messages: this.cache
        .dirtyEntries()
        .map((e) => ({ key: e.key, value: e.encoded, partition: this.partition })),
    };
    const topicMessages =
      changelog.messages.length > 0 ? [changelog, ...out.topicMessages()] : out.topicMessages();
    try {
      const metadata = this.exactlyOnce
        ? await this.commitTransaction(topicMessages, input)
        : await this.sendAtLeastOnce(topicMessages);
      this.trackChangelogPosition(metadata, changelog.messages.length);
    } catch (err) {
      this.cache.discardDirty();
      throw err;
    }
    await this.cache.flush();
    if (!this.exactlyOnce) {
      // Store first, then offsets: a crash in between replays records, never skips them.
      if (input) await this.commitOffsets!(input.topic, this.partition, input.nextOffset);
      await this.checkpointPeriodically();
    }
    this.metrics.commitSeconds.observe(
      { guarantee: this.settings.guarantee },
      Number(process.hrtime.bigint() - began) / 1e9,
    );
  }

  /** After the commit and the store write: readers woken now see the changes. */
  private notify(changes: CommittedChange[]): void {
    if (changes.length === 0) return;
    try {
      this.onCommitted({ partition: this.partition, changes });
    } catch (err) {
      // A listener's bug must not fail a batch that is already committed.
      this.log.error('commit listener failed', { error: err });
    }
  }

  private async sendAtLeastOnce(topicMessages: TopicMessages[]): Promise<RecordMetadata[]> {
    const metadata: RecordMetadata[] = [];
    for (const chunk of chunkTopicMessages(topicMessages, MAX_SEND_BYTES))
      metadata.push(...(await this.sharedProducer!.sendBatch({ topicMessages: chunk, acks: -1 })));
    return metadata;
  }

  /** at_least_once keeps its checkpoint while running; every few seconds bounds the fsync cost. */
  private async checkpointPeriodically(): Promise<void> {
    if (Date.now() - this.lastCheckpointAt < CHECKPOINT_INTERVAL_MS) return;
    this.lastCheckpointAt = Date.now();
    await writeCheckpoint(this.dir, this.checkpoint(this.changelogPosition));
  }

  private async commitTransaction(
    topicMessages: TopicMessages[],
    input: { topic: string; nextOffset: string } | undefined,
  ): Promise<RecordMetadata[]> {
    if (topicMessages.length === 0 && !input) return [];
    const tx = await this.producer!.transaction();
    try {
      const metadata: RecordMetadata[] = [];
      for (const chunk of chunkTopicMessages(topicMessages, MAX_SEND_BYTES))
        metadata.push(...(await tx.sendBatch({ topicMessages: chunk, acks: -1 })));
      if (input) {
        await tx.sendOffsets({
          consumerGroupId: this.settings.applicationId,
          topics: [
            { topic: input.topic, partitions: [{ partition: this.partition, offset: input.nextOffset }] },
          ],
        });
      }
      await tx.commit();
      return metadata;
    } catch (err) {
      if (tx.isActive()) await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  private trackChangelogPosition(metadata: RecordMetadata[], count: number): void {
    if (count === 0) return;
    const entry = metadata.find(
      (m) => m.topicName === this.settings.changelogTopic && m.partition === this.partition,
    );
    if (entry) this.changelogPosition = Number(entry.baseOffset) + count;
  }

  private checkpoint(position: number): { changelogOffsets: Record<string, string>; writtenAt: string } {
    return {
      changelogOffsets: { [`${this.settings.changelogTopic}:${this.partition}`]: String(position) },
      writtenAt: new Date().toISOString(),
    };
  }

  /**
   * Stops the task once its current batch is done. A clean close checkpoints the store so the next
   * owner on this machine only catches up; `clean: false` (after an error) leaves no checkpoint.
   */
  close({ clean }: { clean: boolean }): Promise<void> {
    return this.queue.run(async () => {
      if (this.status === 'closed') return;
      const wasRunning = this.status === 'running';
      this.status = 'closed';
      if (clean && wasRunning) {
        await this.cache.flush();
        await writeCheckpoint(this.dir, this.checkpoint(this.changelogPosition));
      }
      await this.store.close().catch(() => undefined);
      await this.producer?.disconnect().catch(() => undefined);
      this.log.info('task closed', {
        clean,
        checkpointed: clean && wasRunning,
        changelogPosition: this.changelogPosition,
      });
    });
  }

  /** Read access for the query API; undefined when the task does not serve reads now. */
  async read(deviceId: string): Promise<StoredTwin | undefined> {
    if (this.status !== 'running') return undefined;
    const bytes = await this.store.get(deviceId);
    return bytes ? storedTwinCodec.decode(bytes) : undefined;
  }

  iterateStore(after?: string): AsyncIterable<[string, Buffer]> {
    return this.store.iterate(after === undefined ? {} : { gt: after });
  }
}
