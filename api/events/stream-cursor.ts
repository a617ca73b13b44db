import { encodeFleetPosition, encodeTwinPosition, offsetAt, type Offsets } from './position';
import { selects, type ChangeSelector, type TwinChange } from './twin-change';

/** One Server-Sent Event, before framing. */
export interface SseEvent {
  id: string;
  event: 'twin' | 'deleted';
  /** One line of JSON. */
  data: string;
}

/**
 * Where one stream stands in `device.twins`, and what it wants from it. Changes must be applied in
 * read order per partition (any interleaving across partitions); a change below the cursor's
 * position was already seen (a replayed buffer overlapping live reading, a reader that re-read
 * after a seek or a rejoin) and is dropped. Every change at or above it advances the position,
 * delivered or filtered out, so the id of the next event covers both.
 */
export class StreamCursor {
  private readonly offsets: Offsets;

  /**
   * @param offsets the position to start from (copied), one offset per partition
   * @param partition for a one-twin stream, the twin's partition: the only one it reads
   */
  constructor(
    readonly selector: ChangeSelector,
    offsets: readonly number[],
    readonly partition?: number,
  ) {
    this.offsets = [...offsets];
  }

  /** The partitions this stream reads. */
  partitions(): number[] {
    return this.partition === undefined ? this.offsets.map((_, p) => p) : [this.partition];
  }

  /** The position as a copy, one offset per partition. */
  position(): Offsets {
    return [...this.offsets];
  }

  /** The event id of the current position. */
  eventId(): string {
    return this.partition === undefined
      ? encodeFleetPosition(this.offsets)
      : encodeTwinPosition(this.partition, offsetAt(this.offsets, this.partition));
  }

  /** Applies the next change of its partition; returns the event to send, if the stream wants it. */
  accept(change: TwinChange): SseEvent | undefined {
    if (this.partition !== undefined && change.partition !== this.partition) return undefined;
    if (change.offset < offsetAt(this.offsets, change.partition)) return undefined;
    // Fill any gap (a partition the id did not name) so the encoded vector stays positional.
    for (let p = this.offsets.length; p < change.partition; p++) this.offsets[p] = 0;
    this.offsets[change.partition] = change.offset + 1;
    if (!selects(this.selector, change)) return undefined;
    if (change.twin === null) {
      return { id: this.eventId(), event: 'deleted', data: JSON.stringify({ id: change.id }) };
    }
    return { id: this.eventId(), event: 'twin', data: change.json! };
  }
}
