import { TwinfoldError } from '../../shared/errors';

/**
 * Event ids are positions in `device.twins`, Kafka-style: the offset of the next record to read.
 * - One twin's stream: `<partition>:<offset>` (the twin lives in one partition), e.g. `3:1042`.
 * - The all-twins stream: one offset per partition, by partition number, joined by `.`, e.g.
 *   `17.0.42.9`; exactly as many offsets as `device.twins` has partitions.
 * An id naming another partition count, or an offset beyond the end of its partition, was not sent
 * by this deployment's streams: 400, rather than a stream that waits silently for offsets that may
 * never come (EventStreams checks the end).
 * An id is the position just after the event that carries it, so resuming from it (seek every
 * partition to its offset) yields exactly the records after that event: nothing twice, nothing lost.
 */
export type Offsets = number[];

const TWIN_ID = /^(\d{1,5}):(\d{1,16})$/;
const FLEET_ID = /^\d{1,16}(\.\d{1,16})*$/;

/** The offset a position vector holds for a partition (0 for a partition it does not name). */
export function offsetAt(offsets: readonly number[], partition: number): number {
  return offsets[partition] ?? 0;
}

export function encodeTwinPosition(partition: number, offset: number): string {
  return `${partition}:${offset}`;
}

export function encodeFleetPosition(offsets: readonly number[]): string {
  return offsets.join('.');
}

function badId(message: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', `Last-Event-ID ${message}`);
}

function safeOffset(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw badId('holds an offset out of range');
  return n;
}

/** An id beyond the end of `device.twins` in these partitions (`ends`: the end offset of each). */
export function beyondEnd(partitions: readonly number[], offsets: Offsets, ends: Offsets): TwinfoldError {
  const where = partitions.map((p) => `partition ${p}: ${offsetAt(offsets, p)} > ${offsetAt(ends, p)}`);
  return badId(`is beyond the end of device.twins (${where.join(', ')}); reconnect without it`);
}

/** Parses a one-twin id; the partition must be the twin's. Throws VALIDATION_ERROR (400). */
export function parseTwinPosition(raw: string, partition: number): number {
  const match = TWIN_ID.exec(raw.trim());
  if (!match) throw badId('must be "<partition>:<offset>", as sent by this stream');
  if (Number(match[1]) !== partition) throw badId(`names partition ${match[1]}, not this twin's`);
  return safeOffset(match[2]!);
}

/** Parses an all-twins id into one offset per partition. Throws VALIDATION_ERROR (400). */
export function parseFleetPosition(raw: string, partitions: number): Offsets {
  const text = raw.trim();
  if (!FLEET_ID.test(text)) throw badId('must be offsets joined by ".", as sent by this stream');
  const offsets = text.split('.').map(safeOffset);
  if (offsets.length !== partitions)
    throw badId(`names ${offsets.length} partitions; device.twins has ${partitions}`);
  return offsets;
}
