import { decodeUtf8Strict, parseJsonSafely } from '../safe-json';
import { isJsonObject, ownValue, type JsonObject } from '../json';
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
} from './fields';
import { checkDeviceId, checkType, ENVELOPE_KEYS, payloadTime, readUnits } from './envelope';
import { parseObject, type RawRecord } from './raw-record';
import { parseTimestamp } from './timestamps';
import type { AckInput, ErrorInput, StateInput, StatusInput, TelemetryInput } from './types';

const MAX_MESSAGE_LENGTH = 4096;

/**
 * Seed 001's envelope `{"device_id"?, "timestamp"?, "type"?, "data": {...}, "metadata"?}` when
 * `data` is an object and nothing else is present; otherwise flat readings, minus `device_id` and
 * `timestamp`. `metadata.unit` (or `metadata.units.<field>`) gives the readings' units.
 */
export function decodeTelemetry(raw: RawRecord): TelemetryInput {
  const obj = parseObject(raw, 'telemetry');
  checkDeviceId(obj, raw);
  const data = ownValue(obj, 'data');
  const wrapped = isJsonObject(data) && onlyKeys(obj, ['data', 'metadata', ...ENVELOPE_KEYS]);
  if (wrapped) checkType(obj, 'telemetry');
  const readings = wrapped ? data : omitKeys(obj, ['device_id', 'timestamp']);
  if (Object.keys(readings).length === 0) throw invalid('telemetry', 'has no readings');
  const units = wrapped ? readUnits(obj, readings) : undefined;
  return {
    kind: 'telemetry',
    deviceId: raw.deviceId,
    ...payloadTime(obj, raw),
    readings,
    ...(units === undefined ? {} : { units }),
  };
}

/**
 * `{"version"?, "state"|"reported": {...}, "timestamp"?, "device_id"?, "type"?}` or flat
 * `{..., "version"?, "timestamp"?, "device_id"?}`.
 */
export function decodeState(raw: RawRecord): StateInput {
  const obj = parseObject(raw, 'state');
  checkDeviceId(obj, raw);
  const meta = ['version', 'timestamp', 'device_id'];
  const wrapper = ['state', 'reported'].find(
    (k) => isJsonObject(ownValue(obj, k)) && onlyKeys(obj, [k, 'type', ...meta]),
  );
  if (wrapper !== undefined) checkType(obj, 'state');
  const reported =
    wrapper === undefined ? omitKeys(obj, meta) : requireObject(ownValue(obj, wrapper), wrapper);
  return {
    kind: 'state',
    deviceId: raw.deviceId,
    ...payloadTime(obj, raw),
    reported,
    stateVersion: optionalInteger(obj, 'version', 0) ?? null,
  };
}

/**
 * Plain text `online`/`offline` (any case, surrounding space ignored), a JSON string, or
 * `{"status", "timestamp"?, "device_id"?, "type"?}`.
 */
export function decodeStatus(raw: RawRecord): StatusInput {
  const base = { kind: 'status' as const, deviceId: raw.deviceId };
  if (raw.value.length <= 32) {
    const plain = asStatus(decodeUtf8Strict(raw.value).trim());
    if (plain !== undefined) return { ...base, status: plain, timestampMs: raw.recordTimestampMs };
  }
  const parsed = parseJsonSafely(raw.value, raw.limits);
  const obj: JsonObject = typeof parsed === 'string' ? { status: parsed } : requireObject(parsed, 'status');
  checkDeviceId(obj, raw);
  checkType(obj, 'status');
  const status = asStatus(ownValue(obj, 'status'));
  if (status === undefined) throw invalid('status', 'must be "online" or "offline"');
  return { ...base, status, ...payloadTime(obj, raw) };
}

/** Case does not matter: `ONLINE` from one firmware means what `online` means from another. */
function asStatus(value: unknown): 'online' | 'offline' | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'online' || lower === 'offline' ? lower : undefined;
}

/**
 * `{"command_id", "status", "result"?, "device_id"?, "timestamp"?}`. A given timestamp must be
 * valid, but the ack is timed by the record: command times are when the platform heard of them.
 */
export function decodeAck(raw: RawRecord): AckInput {
  const obj = parseReport(raw, 'ack');
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

/**
 * `{"error_code", "message", "details"?, "device_id"?, "timestamp"?, "type"?}`. A numeric
 * `error_code` (an integer, as many firmwares send) is kept as its decimal text.
 */
export function decodeError(raw: RawRecord): ErrorInput {
  const obj = parseReport(raw, 'error');
  const details = optionalValue(obj, 'details');
  const code = ownValue(obj, 'error_code');
  return {
    kind: 'error',
    deviceId: raw.deviceId,
    timestampMs: raw.recordTimestampMs,
    errorCode: Number.isSafeInteger(code) ? String(code) : requireString(obj, 'error_code', MAX_NAME_LENGTH),
    message: requireText(obj, 'message', MAX_MESSAGE_LENGTH),
    ...(details === undefined ? {} : { details }),
  };
}

/** An ack or error: its envelope is checked, and a given timestamp must be valid (it is not used). */
function parseReport(raw: RawRecord, kind: 'ack' | 'error'): JsonObject {
  const obj = parseObject(raw, kind);
  checkDeviceId(obj, raw);
  checkType(obj, kind);
  const ts = ownValue(obj, 'timestamp');
  if (ts !== undefined) parseTimestamp(ts);
  return obj;
}
