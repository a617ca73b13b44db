import { decodeUtf8Strict, type JsonLimits, parseJsonSafely } from '../../shared/safe-json';
import {
  invalid,
  MAX_NAME_LENGTH,
  omitKeys,
  onlyKeys,
  optionalInteger,
  optionalValue,
  requireObject,
  requireString,
  requireText,
} from './input-fields';
import type { AckInput, ErrorInput, StateInput, StatusInput, TelemetryInput } from './input-types';
import { isJsonObject, ownValue } from './json';
import type { JsonObject } from './model';
import { parseTimestamp } from './timestamps';

/** What every decoder receives: the validated key, the raw value and the record time. */
export interface RawRecord {
  deviceId: string;
  value: Buffer;
  recordTimestampMs: number;
  limits: JsonLimits;
}

const MAX_MESSAGE_LENGTH = 4096;

function parseObject(raw: RawRecord, what: string): JsonObject {
  return requireObject(parseJsonSafely(raw.value, raw.limits), what);
}

function payloadTime(obj: JsonObject, raw: RawRecord): number {
  const ts = ownValue(obj, 'timestamp');
  return ts === undefined ? raw.recordTimestampMs : parseTimestamp(ts);
}

/**
 * `{"timestamp"?, "data": {...}}` when `data` is an object and nothing else but `timestamp` is
 * present; otherwise flat readings, minus `timestamp`.
 */
export function decodeTelemetry(raw: RawRecord): TelemetryInput {
  const obj = parseObject(raw, 'telemetry');
  const data = ownValue(obj, 'data');
  const wrapped = isJsonObject(data) && onlyKeys(obj, ['data', 'timestamp']);
  const readings = wrapped ? data : omitKeys(obj, ['timestamp']);
  if (Object.keys(readings).length === 0) throw invalid('telemetry', 'has no readings');
  return { kind: 'telemetry', deviceId: raw.deviceId, timestampMs: payloadTime(obj, raw), readings };
}

/** `{"version"?, "state"|"reported": {...}, "timestamp"?}` or flat `{..., "version"?, "timestamp"?}`. */
export function decodeState(raw: RawRecord): StateInput {
  const obj = parseObject(raw, 'state');
  const meta = ['version', 'timestamp'];
  const wrapper = ['state', 'reported'].find(
    (k) => isJsonObject(ownValue(obj, k)) && onlyKeys(obj, [k, ...meta]),
  );
  const reported =
    wrapper === undefined ? omitKeys(obj, meta) : requireObject(ownValue(obj, wrapper), wrapper);
  return {
    kind: 'state',
    deviceId: raw.deviceId,
    timestampMs: payloadTime(obj, raw),
    reported,
    stateVersion: optionalInteger(obj, 'version', 0) ?? null,
  };
}

/** Plain text `online`/`offline` (any case, surrounding space ignored), a JSON string, or `{"status", "timestamp"?}`. */
export function decodeStatus(raw: RawRecord): StatusInput {
  const base = { kind: 'status' as const, deviceId: raw.deviceId };
  if (raw.value.length <= 32) {
    const plain = asStatus(decodeUtf8Strict(raw.value).trim());
    if (plain !== undefined) return { ...base, status: plain, timestampMs: raw.recordTimestampMs };
  }
  const parsed = parseJsonSafely(raw.value, raw.limits);
  const obj = typeof parsed === 'string' ? { status: parsed } : requireObject(parsed, 'status');
  const status = asStatus(ownValue(obj, 'status'));
  if (status === undefined) throw invalid('status', 'must be "online" or "offline"');
  return { ...base, status, timestampMs: payloadTime(obj, raw) };
}

function asStatus(value: unknown): 'online' | 'offline' | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'online' || lower === 'offline' ? lower : undefined;
}

/** `{"command_id", "status", "result"?}`. */
export function decodeAck(raw: RawRecord): AckInput {
  const obj = parseObject(raw, 'ack');
  const result = optionalValue(obj, 'result');
  return {
    kind: 'ack',
    deviceId: raw.deviceId,
    timestampMs: raw.recordTimestampMs,
    commandId: requireString(obj, 'command_id'),
    status: requireString(obj, 'status', 64),
    ...(result === undefined ? {} : { result }),
  };
}

/** `{"error_code", "message", "details"?}`. */
export function decodeError(raw: RawRecord): ErrorInput {
  const obj = parseObject(raw, 'error');
  const details = optionalValue(obj, 'details');
  return {
    kind: 'error',
    deviceId: raw.deviceId,
    timestampMs: raw.recordTimestampMs,
    errorCode: requireString(obj, 'error_code', MAX_NAME_LENGTH),
    message: requireText(obj, 'message', MAX_MESSAGE_LENGTH),
    ...(details === undefined ? {} : { details }),
  };
}
