import type { TwinChange } from '../../../../api/events/twin-change';
import type { TwinDocument } from '../../../../api/twin-document';
import { partitionForKey } from '../../../../shared/partitioner';
import { twinFixture } from '../harness';

/**
 * An in-memory `device.twins`: records appended per partition with increasing offsets (with gaps,
 * as transaction markers leave), each announced to the subscribers in append order.
 */
export class FakeTwinsLog {
  readonly records: TwinChange[] = [];
  private readonly next: number[];
  private readonly subscribers = new Set<(c: TwinChange) => void>();

  constructor(readonly partitions: number) {
    this.next = new Array<number>(partitions).fill(0);
  }

  /** End offsets per partition (what the shared reader starts from). */
  ends(): number[] {
    return [...this.next];
  }

  /** Appends a document (or a tombstone) for `id`, skipping an offset now and then like a commit marker. */
  put(id: string, twin: Partial<TwinDocument> | null): TwinChange {
    const partition = partitionForKey(id, this.partitions);
    const offset = this.next[partition]!;
    this.next[partition] = offset + (offset % 3 === 2 ? 2 : 1);
    const doc = twin === null ? null : twinFixture(id, twin);
    const change: TwinChange = {
      partition,
      offset,
      id,
      twin: doc,
      json: doc === null ? undefined : JSON.stringify(doc),
    };
    this.records.push(change);
    for (const s of this.subscribers) s(change);
    return change;
  }

  subscribe(listener: (c: TwinChange) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }
}
