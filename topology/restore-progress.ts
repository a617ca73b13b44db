import type { KafkaMessage } from 'kafkajs';
import type { ChangelogEntry, RestoreResult, RestoreTarget } from './changelog-reader';

/**
 * The bookkeeping of one restore of one changelog topic, without I/O: which targets still have
 * records to read up to the end offsets taken at the start, and where each stands.
 */
export class RestoreProgress {
  private readonly results = new Map<number, RestoreResult>();
  private readonly pending = new Map<number, RestoreTarget>();

  constructor(
    readonly topic: string,
    targets: readonly RestoreTarget[],
    private readonly ends: ReadonlyMap<number, number>,
  ) {
    for (const t of targets) {
      if (t.topic !== topic) throw new RangeError(`restore of ${topic} given a target of ${t.topic}`);
      this.results.set(t.partition, { topic, partition: t.partition, nextOffset: t.fromOffset, records: 0 });
      if (t.fromOffset < this.endOf(t.partition)) this.pending.set(t.partition, t);
    }
  }

  get done(): boolean {
    return this.pending.size === 0;
  }

  /** The targets still to read, to seek the consumer to their start. */
  pendingTargets(): RestoreTarget[] {
    return [...this.pending.values()];
  }

  target(partition: number): RestoreTarget | undefined {
    return this.pending.get(partition);
  }

  /** The records of a fetched batch the store still needs: from its position on, with a key. */
  entriesOf(partition: number, messages: readonly KafkaMessage[]): ChangelogEntry[] {
    const result = this.results.get(partition);
    if (!result || !this.pending.has(partition)) return [];
    const entries: ChangelogEntry[] = [];
    for (const m of messages) {
      if (Number(m.offset) < result.nextOffset || !m.key) continue;
      entries.push({ key: m.key.toString('utf8'), value: m.value, offset: m.offset });
    }
    return entries;
  }

  applied(partition: number, records: number): void {
    const result = this.results.get(partition);
    if (result) result.records += records;
  }

  /**
   * A batch of `partition` was read up to `next` (exclusive), transaction markers and
   * compacted-away offsets included. Returns true when this finished the whole restore.
   */
  advance(partition: number, next: number): boolean {
    const result = this.results.get(partition);
    if (!result || !this.pending.has(partition)) return false;
    result.nextOffset = Math.max(result.nextOffset, next);
    if (result.nextOffset < this.endOf(partition)) return false;
    this.pending.delete(partition);
    return this.pending.size === 0;
  }

  resultList(): RestoreResult[] {
    return [...this.results.values()];
  }

  private endOf(partition: number): number {
    return this.ends.get(partition) ?? 0;
  }
}
