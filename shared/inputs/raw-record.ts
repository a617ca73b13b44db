import { requireObject } from './fields';
import type { JsonObject } from '../json';
import { parseJsonSafely, type JsonLimits } from '../safe-json';

/** What every decoder receives: the validated device id, the raw value and the record time. */
export interface RawRecord {
  deviceId: string;
  value: Buffer;
  recordTimestampMs: number;
  limits: JsonLimits;
  maxClockSkewMs: number;
}

/** The value as a JSON object (`what` names the payload in the error). */
export function parseObject(raw: RawRecord, what: string): JsonObject {
  return requireObject(parseJsonSafely(raw.value, raw.limits), what);
}
