import type { IHeaders, KafkaMessage, Message, RecordMetadata } from 'kafkajs';
import { Registry } from 'prom-client';
import { createLogger } from '../../shared/logger';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '../../shared/safe-json';
import {
  changelogTopic,
  historyChangelogTopic,
  inputTopics,
  topicNames,
  type InputKind,
} from '../../shared/topics';
import { RetentionPolicy, type RetentionSettings } from '../../topology/history/retention';
import type { ChangelogEntry } from '../../topology/changelog-reader';
import type { CommitNotice } from '../../topology/commit-notice';
import { ProcessorMetrics } from '../../topology/metrics';
import { PartitionTask, type CommitListener, type TaskSettings } from '../../topology/partition-task';
import type { Committer, CommitUnit, InputPosition } from '../../topology/task/committer';
import { MemoryStorage } from '../../topology/task/storage';
import {
  DEFAULT_FOLD_CONFIG,
  liveTwin,
  type FoldConfig,
  type TwinEvent,
  type TwinState,
} from '../../topology/twin';

/**
 * A task test driver (Kafka Streams' TopologyTestDriver for one PartitionTask): records are piped
 * into a real task over an in-memory store, a fake committer keeps what each commit sent, and a
 * fake wall clock drives the timers. No broker.
 */

/** The wall clock the task's timers see; moves only when told. */
export class FakeClock {
  constructor(public ms: number) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A committed record, as a consumer of the topic would read it. */
export interface LoggedRecord {
  readonly offset: number;
  readonly partition: number | undefined;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestampMs: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** An exactly_once committer over in-memory topic logs: a failed commit leaves no trace. */
export class FakeCommitter implements Committer {
  readonly guarantee = 'exactly_once';
  readonly checkpointsWhileRunning = false;
  /** Committed records per topic, in commit order. */
  readonly logs = new Map<string, LoggedRecord[]>();
  /** Committed input positions per input topic. */
  readonly offsets = new Map<string, string>();
  commits = 0;
  private failure: Error | undefined;

  /** The next `send` throws `error` (once), as an aborted transaction would. */
  failNext(error: Error): void {
    this.failure = error;
  }

  async open(): Promise<void> {}

  async send({ records, input }: CommitUnit): Promise<RecordMetadata[]> {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    const metadata: RecordMetadata[] = [];
    for (const { topic, messages } of records) {
      const log = this.log(topic);
      metadata.push({
        topicName: topic,
        partition: messages[0]?.partition ?? 0,
        errorCode: 0,
        baseOffset: String(log.length),
      });
      for (const m of messages) log.push(toLogged(log.length, m));
    }
    if (input) this.commitInput(input);
    this.commits += 1;
    return metadata;
  }

  async afterStoreWrite(): Promise<void> {}

  async close(): Promise<void> {}

  log(topic: string): LoggedRecord[] {
    let log = this.logs.get(topic);
    if (!log) this.logs.set(topic, (log = []));
    return log;
  }

  private commitInput({ topic, nextOffset }: InputPosition): void {
    this.offsets.set(topic, nextOffset);
  }
}

export interface TaskDriverOptions {
  /** The fake wall clock's start (ms). */
  readonly startMs: number;
  readonly partition?: number;
  readonly foldConfig?: Partial<FoldConfig>;
  readonly limits?: Partial<JsonLimits>;
  readonly cacheMaxEntries?: number;
  /** Also told of every commit (the driver keeps them in `notices` in any case). */
  readonly onCommitted?: CommitListener;
  /** Changelog records to restore the store from before processing starts. */
  readonly changelog?: readonly ChangelogEntry[];
  /** A history store (HISTORY=on) with these retentions (default 30 days for every type). */
  readonly history?: Partial<RetentionSettings>;
  /** History changelog records to restore the history store from. */
  readonly historyChangelog?: readonly ChangelogEntry[];
}

/** One input record; the key defaults to the device id, the timestamp to the clock's now. */
export interface PipedRecord {
  readonly deviceId: string;
  readonly value: string | Buffer | object | null;
  readonly timestampMs?: number;
  readonly key?: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TwinRecord {
  readonly key: string | null;
  /** The twin document, null for a tombstone. */
  readonly document: Record<string, unknown> | null;
  readonly version: string | undefined;
}

export interface DeadLetterRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly sourceOffset: string | undefined;
}

export class TaskDriver {
  readonly clock: FakeClock;
  readonly committer = new FakeCommitter();
  readonly storage: MemoryStorage;
  readonly historyStorage: MemoryStorage;
  readonly settings: TaskSettings;
  readonly notices: CommitNotice[] = [];
  readonly task: PartitionTask;
  private readonly topicOf = new Map<InputKind, string>();
  private readonly nextOffset = new Map<string, number>();

  private constructor(options: TaskDriverOptions) {
    const partition = options.partition ?? 0;
    const topics = topicNames({ topicPrefix: '' });
    for (const { topic, kind } of inputTopics(topics)) this.topicOf.set(kind, topic);
    this.settings = {
      topics,
      changelogTopic: changelogTopic({ applicationId: 'driver' }),
      limits: { ...DEFAULT_JSON_LIMITS, ...options.limits },
      foldConfig: { ...DEFAULT_FOLD_CONFIG, ...options.foldConfig },
      cacheMaxEntries: options.cacheMaxEntries ?? 1000,
      ...(options.history
        ? {
            history: {
              changelogTopic: historyChangelogTopic({ applicationId: 'driver' }),
              retention: new RetentionPolicy({
                defaultMs: options.history.defaultMs ?? 30 * 86_400_000,
                byType: options.history.byType ?? new Map(),
              }),
            },
          }
        : {}),
    };
    this.clock = new FakeClock(options.startMs);
    this.storage = new MemoryStorage(`twins-${partition}`);
    this.historyStorage = new MemoryStorage(`history-${partition}`);
    this.task = new PartitionTask({
      partition,
      settings: this.settings,
      committer: this.committer,
      storage: this.storage,
      historyStorage: this.historyStorage,
      metrics: new ProcessorMetrics(new Registry(), () => []),
      logger: createLogger({ write: () => undefined }),
      now: this.clock.now,
      onCommitted: (notice) => {
        this.notices.push(notice);
        options.onCommitted?.(notice);
      },
    });
  }

  /** A driver whose task is not opened yet (for a TaskManager to open). */
  static create(options: TaskDriverOptions): TaskDriver {
    return new TaskDriver(options);
  }

  /** A running task, its store restored from `options.changelog`. */
  static async start(options: TaskDriverOptions): Promise<TaskDriver> {
    const driver = new TaskDriver(options);
    const targets = await driver.task.open();
    const results = [];
    for (const target of targets) {
      const log =
        target.topic === driver.settings.history?.changelogTopic
          ? options.historyChangelog
          : options.changelog;
      const entries = (log ?? []).filter((e) => Number(e.offset) >= target.fromOffset);
      if (entries.length > 0) await target.apply(entries);
      await target.finish?.();
      const last = entries[entries.length - 1];
      const nextOffset = last === undefined ? target.fromOffset : Number(last.offset) + 1;
      results.push({ topic: target.topic, partition: target.partition, nextOffset, records: entries.length });
    }
    await driver.task.startProcessing(results);
    return driver;
  }

  inputTopic(kind: InputKind): string {
    return this.topicOf.get(kind)!;
  }

  /** Pipes one record as a batch of its own (caught up: nothing else waits in its partition). */
  pipe(kind: InputKind, record: PipedRecord): Promise<void> {
    return this.pipeBatch(kind, [record]);
  }

  /**
   * Pipes records as one fetched batch. `behind` is how many more records wait in the input
   * partition after this batch (a backlog the task is catching up), 0 when caught up. `fromOffset`
   * re-delivers from an earlier offset, as a consumer that re-joined on stale offsets would.
   */
  async pipeBatch(
    kind: InputKind,
    records: readonly PipedRecord[],
    { behind = 0, fromOffset }: { behind?: number; fromOffset?: number } = {},
  ): Promise<void> {
    const topic = this.inputTopic(kind);
    const first = fromOffset ?? this.nextOffset.get(topic) ?? 0;
    const messages = records.map((r, i) => toKafkaMessage(r, first + i, this.clock.ms));
    const next = first + messages.length;
    this.nextOffset.set(topic, Math.max(next, this.nextOffset.get(topic) ?? 0));
    await this.task.processBatch(topic, kind, messages, {
      lastOffset: String(next - 1),
      highWatermark: String(next + behind),
    });
  }

  /** Tells the task where an input partition stands, as the start-up read of positions does. */
  observeBacklog(kind: InputKind, waiting: number): void {
    const topic = this.inputTopic(kind);
    const next = this.nextOffset.get(topic) ?? 0;
    this.task.observeInput(topic, String(next), String(next + waiting));
  }

  /** One run of the timers at the task's clock. */
  tick(): Promise<void> {
    return this.task.tick();
  }

  /** The twin as the store serves it: undefined when absent or deleted (a grave). */
  async twin(deviceId: string): Promise<TwinState | undefined> {
    return liveTwin(await this.task.read(deviceId));
  }

  /** The committed changelog records, as the changelog reader would restore them. */
  changelog(): ChangelogEntry[] {
    return this.logEntries(this.settings.changelogTopic);
  }

  /** The committed history changelog records (none without `history`). */
  historyChangelog(): ChangelogEntry[] {
    const topic = this.settings.history?.changelogTopic;
    return topic === undefined ? [] : this.logEntries(topic);
  }

  private logEntries(topic: string): ChangelogEntry[] {
    return this.committer
      .log(topic)
      .map((r) => ({ key: r.key ?? '', value: r.value, offset: String(r.offset) }));
  }

  twins(): TwinRecord[] {
    return this.committer.log(this.settings.topics.twins).map((r) => ({
      key: r.key,
      document: r.value === null ? null : (JSON.parse(r.value.toString('utf8')) as Record<string, unknown>),
      version: r.headers['twinfold.version'],
    }));
  }

  events(): (TwinEvent & { key: string | null })[] {
    return this.committer
      .log(this.settings.topics.events)
      .map((r) => ({ key: r.key, ...(JSON.parse(r.value!.toString('utf8')) as TwinEvent) }));
  }

  downlink(): { key: string | null; message: Record<string, unknown> }[] {
    return this.committer.log(this.settings.topics.downlink).map((r) => ({
      key: r.key,
      message: JSON.parse(r.value!.toString('utf8')) as Record<string, unknown>,
    }));
  }

  deadLetters(): DeadLetterRecord[] {
    return this.committer.log(this.settings.topics.dlq).map((r) => ({
      key: r.key,
      value: r.value,
      code: r.headers['twinfold.error.code'],
      message: r.headers['twinfold.error.message'],
      sourceOffset: r.headers['twinfold.source.offset'],
    }));
  }

  close(): Promise<void> {
    return this.task.close({ clean: true });
  }
}

function toKafkaMessage(record: PipedRecord, offset: number, nowMs: number): KafkaMessage {
  const { value } = record;
  const bytes =
    value === null || Buffer.isBuffer(value)
      ? value
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  const key = record.key === undefined ? record.deviceId : record.key;
  return {
    key: typeof key === 'string' ? Buffer.from(key, 'utf8') : key,
    value: bytes,
    timestamp: String(record.timestampMs ?? nowMs),
    attributes: 0,
    offset: String(offset),
    headers: { ...record.headers },
  };
}

function toLogged(offset: number, m: Message): LoggedRecord {
  return {
    offset,
    partition: m.partition,
    key: m.key === null || m.key === undefined ? null : m.key.toString(),
    value: m.value === null ? null : Buffer.from(m.value),
    timestampMs: m.timestamp === undefined ? undefined : Number(m.timestamp),
    headers: headerText(m.headers),
  };
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}
