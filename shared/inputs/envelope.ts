import { TwinfoldError } from '../errors';
import { ownValue, type JsonObject } from '../json';
import { invalid, optionalObject, optionalString } from './fields';
import type { RawRecord } from './raw-record';
import { inputTime, parseTimestamp, type InputTime } from './timestamps';
import type { DeviceKind } from './types';

/** Keys of seed 001's device message envelope that are never readings. */
export const ENVELOPE_KEYS: readonly string[] = ['device_id', 'timestamp', 'type'];

const MAX_UNIT_LENGTH = 64;

/**
 * A payload that names its device must name the device of its topic (the Kafka key): a device
 * speaking for another is refused as spoofing, DEVICE_ID_MISMATCH.
 */
export function checkDeviceId(obj: JsonObject, raw: RawRecord): void {
  const named = ownValue(obj, 'device_id');
  if (named === undefined) return;
  if (typeof named !== 'string') throw invalid('device_id', 'must be a string');
  if (named !== raw.deviceId) {
    throw new TwinfoldError(
      'DEVICE_ID_MISMATCH',
      `device_id ${JSON.stringify(named.slice(0, 140))} differs from the device ${raw.deviceId} of the topic`,
      { details: { field: 'device_id' } },
    );
  }
}

/** An envelope's `type`, when given, must be the kind of its topic. */
export function checkType(obj: JsonObject, kind: DeviceKind): void {
  const type = ownValue(obj, 'type');
  if (type !== undefined && type !== kind) throw invalid('type', `must be "${kind}" on a ${kind} topic`);
}

/** The payload's `timestamp` under the clock-skew rule of `inputTime`; the record time when absent. */
export function payloadTime(obj: JsonObject, raw: RawRecord): InputTime {
  const ts = ownValue(obj, 'timestamp');
  const deviceMs = ts === undefined ? undefined : parseTimestamp(ts);
  return inputTime(deviceMs, raw.recordTimestampMs, raw.maxClockSkewMs);
}

/**
 * Units of the readings from the envelope's `metadata`: `unit` applies to every reading,
 * `units: {"<field>": "<unit>"}` to one field and wins over `unit`. Other metadata is ignored.
 * Deleted readings (null) get none.
 */
export function readUnits(obj: JsonObject, readings: JsonObject): Record<string, string> | undefined {
  const metadata = optionalObject(obj, 'metadata');
  if (metadata === undefined) return undefined;
  const all = optionalString(metadata, 'unit', MAX_UNIT_LENGTH);
  const perField = optionalObject(metadata, 'units');
  const units: Record<string, string> = {};
  for (const key of Object.keys(readings)) {
    if (readings[key] === null) continue;
    const own = perField === undefined ? undefined : optionalString(perField, key, MAX_UNIT_LENGTH);
    const unit = own ?? all;
    if (unit !== undefined) units[key] = unit;
  }
  return Object.keys(units).length === 0 ? undefined : units;
}
