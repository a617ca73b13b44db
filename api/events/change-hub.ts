import { offsetAt, type Offsets } from './position';
import { ReplayBuffer } from './replay-buffer';
import type { StreamCursor } from './stream-cursor';
import type { TwinChange } from './twin-change';

/** A stream attached to the hub: gets each change the shared reader reads, in read order. */
export type ChangeListener = (change: TwinChange) => void;

/**
 * The fan-out of one instance's shared `device.twins` reader: its position, the replay buffer and
 * the attached streams. Kafka-free (shared-reader.ts feeds it), so its ordering is unit-tested.
 *
 * Everything here is synchronous: a stream that attaches replays the buffer and joins the live
 * listeners in one turn of the event loop, so no change can slip between the two.
 */
export class ChangeHub {
  private readonly offsets: Offsets;
  private readonly buffer: ReplayBuffer;
  private readonly listeners = new Set<ChangeListener>();

  /** @param startOffsets where the reader starts, per partition */
  constructor(startOffsets: readonly number[], bufferCapacity: number) {
    this.offsets = [...startOffsets];
    this.buffer = new ReplayBuffer(bufferCapacity, startOffsets);
  }

  /** The reader's position: what a new live stream starts from. */
  position(): Offsets {
    return [...this.offsets];
  }

  /**
   * The next record the reader read. Records below the reader's position (re-read after a seek or
   * a rejoin) are dropped, so callers may re-deliver freely as long as each partition is read in
   * order from at or below its position.
   */
  publish(change: TwinChange): void {
    if (change.offset < offsetAt(this.offsets, change.partition)) return;
    this.offsets[change.partition] = change.offset + 1;
    this.buffer.append(change);
    for (const listener of this.listeners) listener(change);
  }

  /** Whether the buffer still holds everything after the cursor's position. */
  canReplay(cursor: StreamCursor): boolean {
    return this.buffer.covers(cursor.position(), cursor.partitions());
  }

  /**
   * Replays the buffered changes to the listener (the cursor drops what it has seen), then keeps
   * it attached. Call only after `canReplay`. Returns the detach function.
   */
  attach(listener: ChangeListener): () => void {
    for (const change of this.buffer.records()) listener(change);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
