import { invalid } from './fields';

/** Numbers below this are epoch seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;
/** Largest epoch ms a JavaScript Date can represent. */
const MAX_EPOCH_MS = 8.64e15;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * A payload timestamp as epoch ms: epoch seconds (number < 1e11), epoch ms, or an ISO-8601
 * string with a time zone (`Z` or `±hh:mm`; a zone-less time would depend on the host's zone).
 * Throws VALIDATION_ERROR for anything else, including impossible dates such as Feb 30.
 */
export function parseTimestamp(value: unknown, field = 'timestamp'): number {
  let ms: number;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    ms = Math.round(value < SECONDS_BELOW ? value * 1000 : value);
  } else if (typeof value === 'string') {
    ms = parseIso(value, field);
  } else {
    throw invalid(field, 'must be epoch seconds, epoch milliseconds or an ISO-8601 string');
  }
  if (ms < 0 || ms > MAX_EPOCH_MS) throw invalid(field, 'is out of range');
  return ms;
}

function parseIso(text: string, field: string): number {
  const m = ISO_8601.exec(text);
  if (m === null) throw invalid(field, 'is not an ISO-8601 date-time with a time zone');
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? '0')) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(local);
  // Date.UTC silently rolls Feb 30 into March; a round trip of the fields catches it.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw invalid(field, 'is not a valid date-time');
  }
  if (m[8] === 'Z') return local;
  const [offsetHours, offsetMinutes] = [Number(m[10]), Number(m[11])];
  if (offsetHours > 23 || offsetMinutes > 59) throw invalid(field, 'has an invalid time zone offset');
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return m[9] === '+' ? local - offset : local + offset;
}

/** 2000-01-01T00:00:00Z: a device clock earlier than this was never set (e.g. 1970 after a reset). */
export const EARLIEST_TRUSTED_MS = Date.UTC(2000, 0, 1);

/** How far a device clock may run ahead of the broker's before its timestamps are not trusted. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** When an input is folded, and the device's own time when that was not trusted. */
export interface InputTime {
  timestampMs: number;
  deviceTimestampMs?: number;
}

/**
 * The time an input is folded at. A device time later than the record time (the broker's receive
 * time) plus `maxSkewMs`, or before 2000, is not trusted: one such reading would otherwise win
 * every later last-writer-wins comparison and freeze its field. It is replaced by the record
 * time, never the wall clock, so a replay folds the same twin.
 */
export function inputTime(deviceMs: number | undefined, recordMs: number, maxSkewMs: number): InputTime {
  if (deviceMs === undefined) return { timestampMs: recordMs };
  if (deviceMs > recordMs + maxSkewMs || deviceMs < EARLIEST_TRUSTED_MS)
    return { timestampMs: recordMs, deviceTimestampMs: deviceMs };
  return { timestampMs: deviceMs };
}
