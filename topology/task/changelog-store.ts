import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { TwinCache, type Codec } from '../../store';
import type { ChangelogEntry, RestoreTarget } from '../changelog-reader';
import type { TaskStorage } from './storage';

/**
 * What a task needs of each of its stores to commit them together, whatever their value type: a
 * second store (e.g. history next to the twins) implements this and joins the same commit.
 */
export interface CommittedStore {
  readonly changelogTopic: string;
  open(options: { dropCheckpoint: boolean }): Promise<{ checkpointed: boolean }>;
  restoreTarget(onApplied: (records: number) => void): RestoreTarget;
  restored(nextOffset: number): void;
  /** Called before `changelogRecords` at each commit: derives what the commit adds besides its entries. */
  prepare?(): Promise<void>;
  changelogRecords(): TopicMessages | undefined;
  committed(metadata: readonly RecordMetadata[], sent: TopicMessages | undefined): Promise<void>;
  discard(): void;
  flush(): Promise<void>;
  writeCheckpoint(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a task's store: from its checkpoint when it has one (returns the changelog offset to
 * restore from), else wiped (undefined: restore from the changelog's start). `dropCheckpoint`
 * removes the checkpoint once read (see Committer).
 */
export async function openStorage(
  storage: TaskStorage,
  checkpointKey: string,
  dropCheckpoint: boolean,
): Promise<number | undefined> {
  const checkpoint = await storage.readCheckpoint();
  const from = checkpoint?.changelogOffsets[checkpointKey];
  if (from === undefined) await storage.wipe();
  if (dropCheckpoint) await storage.deleteCheckpoint();
  await storage.store.open();
  return from === undefined ? undefined : Number(from);
}

/** The changelog position after a commit that sent `sent` (undefined when it sent nothing there). */
export function positionAfter(
  metadata: readonly RecordMetadata[],
  sent: TopicMessages | undefined,
  partition: number,
): number | undefined {
  const entry = sent && metadata.find((m) => m.topicName === sent.topic && m.partition === partition);
  return entry && sent ? Number(entry.baseOffset) + sent.messages.length : undefined;
}

export interface ChangelogStoreOptions<V> {
  readonly storage: TaskStorage;
  readonly codec: Codec<V>;
  /** The compacted changelog topic; the store's partition of it is the task's partition. */
  readonly changelogTopic: string;
  readonly partition: number;
  readonly cacheMaxEntries: number;
  /** Wall clock, for the checkpoint's `writtenAt`. */
  readonly now: () => number;
}

/**
 * One store of a task (Kafka Streams' changelogged state store): a key-value store, its write-back
 * cache, and its position in its changelog partition. A task commits every one of its stores in
 * the same unit: their dirty entries go to their changelogs, and once the commit is durable they
 * are written to the stores; a failed commit discards them.
 */
export class ChangelogStore<V> implements CommittedStore {
  readonly cache: TwinCache<V>;
  /** Next changelog offset after everything in the store; what a checkpoint records. */
  private position = 0;

  constructor(private readonly options: ChangelogStoreOptions<V>) {
    this.cache = new TwinCache({
      store: options.storage.store,
      codec: options.codec,
      maxEntries: options.cacheMaxEntries,
    });
  }

  get changelogTopic(): string {
    return this.options.changelogTopic;
  }

  get changelogPosition(): number {
    return this.position;
  }

  private get checkpointKey(): string {
    return `${this.options.changelogTopic}:${this.options.partition}`;
  }

  /**
   * Opens the store: from its checkpoint when it has one, else wiped (to be restored from the
   * changelog's start). `dropCheckpoint` removes the checkpoint once read (see Committer).
   */
  async open({ dropCheckpoint }: { dropCheckpoint: boolean }): Promise<{ checkpointed: boolean }> {
    const from = await openStorage(this.options.storage, this.checkpointKey, dropCheckpoint);
    this.position = from ?? 0;
    return { checkpointed: from !== undefined };
  }

  /** What the changelog reader must replay into this store. */
  restoreTarget(onApplied: (records: number) => void): RestoreTarget {
    return {
      topic: this.options.changelogTopic,
      partition: this.options.partition,
      fromOffset: this.position,
      apply: async (entries: ChangelogEntry[]) => {
        await this.options.storage.store.write(entries.map((e) => ({ key: e.key, value: e.value })));
        this.position = Number(entries[entries.length - 1]!.offset) + 1;
        onApplied(entries.length);
      },
    };
  }

  /** After the restore: the reader's position (it may have skipped compacted-away offsets). */
  restored(nextOffset: number): void {
    this.position = Math.max(this.position, nextOffset);
  }

  /** The cache's uncommitted changes as changelog records, or undefined when there are none. */
  changelogRecords(): TopicMessages | undefined {
    const messages = this.cache
      .dirtyEntries()
      .map((e) => ({ key: e.key, value: e.encoded, partition: this.options.partition }));
    return messages.length === 0 ? undefined : { topic: this.options.changelogTopic, messages };
  }

  /** The commit is durable: advance the changelog position and write the changes to the store. */
  async committed(metadata: readonly RecordMetadata[], sent: TopicMessages | undefined): Promise<void> {
    this.position = positionAfter(metadata, sent, this.options.partition) ?? this.position;
    await this.cache.flush();
  }

  /** The commit failed: forget its changes, so the next load reads the store again. */
  discard(): void {
    this.cache.discardDirty();
  }

  async flush(): Promise<void> {
    await this.cache.flush();
  }

  async writeCheckpoint(): Promise<void> {
    await this.options.storage.writeCheckpoint({
      changelogOffsets: { [this.checkpointKey]: String(this.position) },
      writtenAt: new Date(this.options.now()).toISOString(),
    });
  }

  /** The committed value: from the cache when it holds it (no store read, no decoding), else the store. */
  async get(key: string): Promise<V | undefined> {
    const cached = this.cache.peekCommitted(key);
    if (cached !== undefined) return cached ?? undefined;
    const bytes = await this.options.storage.store.get(key);
    return bytes ? this.options.codec.decode(bytes) : undefined;
  }

  iterate(after?: string): AsyncIterable<[string, Buffer]> {
    return this.options.storage.store.iterate(after === undefined ? {} : { gt: after });
  }

  async close(): Promise<void> {
    await this.options.storage.store.close().catch(() => undefined);
  }
}
