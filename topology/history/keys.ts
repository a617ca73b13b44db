/**
 * The history store's key layout (README.md): `<bucket>|<r|c>|<deviceId>|<position>`, every number
 * as fixed-width lowercase hex so byte order is numeric order.
 *
 *   reading  <bucket>|r|<deviceId>|<time>|<source><offset>   time: the reading's (device) time
 *   change   <bucket>|c|<deviceId>|<version>
 *   roll-up  <bucket>|m|<deviceId>|<minute>          minute: the start of the readings' minute
 *   meta     ~<name>                                  outside every bucket: never swept
 *
 * `bucket` is the end of the entry's expiry bucket, so everything expired lies before a key
 * prefix (one range delete), and one device's readings of a time range, or changes of a version
 * range, are one range scan per bucket. Device ids never contain `|` (shared/ids.ts).
 */
export type EntryKind = 'r' | 'c' | 'm';

const HEX12 = 12;
const HEX16 = 16;
/** `|` + 1: the first key after every `<prefix>|...`. */
const AFTER = '}';
const MAX_HEX12 = 0xffffffffffff;

export function hex12(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_HEX12)
    throw new RangeError(`history key number ${n} out of range`);
  return n.toString(16).padStart(HEX12, '0');
}

/** A non-negative number clamped into the key's range (for query bounds, not for entries). */
export function boundHex12(n: number): string {
  return hex12(Math.min(MAX_HEX12, Math.max(0, Math.floor(n))));
}

export function bucketPrefix(bucket: number): string {
  return hex12(bucket);
}

/** The bucket end of a key; NaN for a key of another layout. */
export function bucketOfKey(key: string): number {
  return key.length > HEX12 && key[HEX12] === '|' ? parseInt(key.slice(0, HEX12), 16) : NaN;
}

/** The first key after every key of `bucket`. */
export function afterBucket(bucketKeyPrefix: string): string {
  return `${bucketKeyPrefix}${AFTER}`;
}

/** Source of a reading: the input topic's kind and the record's offset (unique in the partition). */
export function readingSeq(source: 'telemetry' | 'state', offset: string): string {
  return `${source === 'telemetry' ? 't' : 's'}${BigInt(offset).toString(16).padStart(HEX16, '0')}`;
}

export function readingKey(bucket: number, deviceId: string, t: number, seq: string): string {
  return `${hex12(bucket)}|r|${deviceId}|${hex12(t)}|${seq}`;
}

export function changeKey(bucket: number, deviceId: string, version: number): string {
  return `${hex12(bucket)}|c|${deviceId}|${hex12(version)}`;
}

export function rollupKey(bucket: number, deviceId: string, minute: number): string {
  return `${hex12(bucket)}|m|${deviceId}|${hex12(minute)}`;
}

/** Where a store records since when its readings have roll-ups (see rollup.ts). */
export const ROLLUP_START_KEY = '~rollup-start';

/** A key outside the buckets (sorts after every bucket key): kept by the restore, never swept. */
export function isMetaKey(key: string): boolean {
  return key.startsWith('~');
}

/** The keys of one device and kind in one bucket, from `from` (inclusive) to `to` (exclusive) positions. */
export function deviceRange(
  bucket: string,
  kind: EntryKind,
  deviceId: string,
  from: string,
  to: string,
): { gte: string; lt: string } {
  const prefix = `${bucket}|${kind}|${deviceId}|`;
  return { gte: prefix + from, lt: prefix + to };
}

/** The position part following a reading position `t|seq` (the next key after it). */
export function readingPosition(t: number, seq: string): string {
  return `${hex12(t)}|${seq}`;
}

/** Just past every position starting with `position` (for an exclusive lower bound). */
export function afterPosition(position: string): string {
  return `${position}\u0000`;
}
