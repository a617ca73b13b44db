import { offsetAt } from './position';
import type { TwinChange } from './twin-change';

/**
 * The most recent `capacity` records the shared reader has read, oldest first, so a client that
 * reconnects after a short break resumes from memory instead of from a consumer of its own.
 * `startOf(p)` is the lowest offset from which the buffer holds every record of partition p the
 * reader has read; a resume position at or above it is served completely.
 */
export class ReplayBuffer {
  private readonly ring: (TwinChange | undefined)[];
  private head = 0;
  private size = 0;
  private readonly starts: number[];

  /** `startOffsets`: where the reader began, per partition (nothing before it was ever buffered). */
  constructor(
    readonly capacity: number,
    startOffsets: readonly number[],
  ) {
    this.ring = new Array<TwinChange | undefined>(capacity);
    this.starts = [...startOffsets];
  }

  startOf(partition: number): number {
    return offsetAt(this.starts, partition);
  }

  /** Appends in read order; evicting the oldest record raises its partition's start past it. */
  append(change: TwinChange): void {
    if (this.size === this.capacity) {
      const evicted = this.ring[this.head]!;
      this.starts[evicted.partition] = evicted.offset + 1;
      this.size -= 1;
      this.head = (this.head + 1) % this.capacity;
    }
    this.ring[(this.head + this.size) % this.capacity] = change;
    this.size += 1;
  }

  /** Whether every record at or after `from` (in the given partitions) is still here. */
  covers(from: readonly number[], partitions: Iterable<number>): boolean {
    for (const p of partitions) if (offsetAt(from, p) < this.startOf(p)) return false;
    return true;
  }

  /** The buffered records, oldest first. */
  *records(): Generator<TwinChange> {
    for (let i = 0; i < this.size; i++) yield this.ring[(this.head + i) % this.capacity]!;
  }
}
