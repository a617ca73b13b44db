import { ownValue, type JsonObject } from '../json';
import {
  invalid,
  optionalInteger,
  optionalObject,
  optionalString,
  requireObject,
  requireString,
} from './fields';
import { parseObject, type RawRecord } from './raw-record';
import {
  type CommandInput,
  type DesiredInput,
  REGISTRY_OPS,
  type RegistryInput,
  type RegistryOp,
  DEFAULT_COMMAND_PRIORITY,
} from './types';

/** Longest command TTL accepted: one year. */
export const MAX_COMMAND_TTL_SECONDS = 365 * 24 * 3600;

function base(raw: RawRecord): { deviceId: string; timestampMs: number } {
  return { deviceId: raw.deviceId, timestampMs: raw.recordTimestampMs };
}

/** Spreads `{key: value}` only when value is defined (optional fields stay absent, not undefined). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** `{"patch": {...}, "ifVersion"?, "requestId"?}`. */
export function decodeDesired(raw: RawRecord): DesiredInput {
  const obj = parseObject(raw, 'desired');
  const patch = requireObject(ownValue(obj, 'patch'), 'patch');
  return {
    kind: 'desired',
    ...base(raw),
    patch,
    ...opt('ifVersion', optionalInteger(obj, 'ifVersion', 0)),
    ...opt('requestId', optionalString(obj, 'requestId')),
  };
}

/** `{"command_id", "action", "parameters"?, "priority"?, "ttl"? (seconds), "requestId"?}`. */
export function decodeCommand(raw: RawRecord): CommandInput {
  const obj = parseObject(raw, 'command');
  return {
    kind: 'command',
    ...base(raw),
    commandId: requireString(obj, 'command_id'),
    action: requireString(obj, 'action'),
    parameters: optionalObject(obj, 'parameters') ?? {},
    priority: optionalInteger(obj, 'priority', Number.MIN_SAFE_INTEGER) ?? DEFAULT_COMMAND_PRIORITY,
    ...opt('ttlMs', readTtlMs(obj)),
    ...opt('requestId', optionalString(obj, 'requestId')),
  };
}

function readTtlMs(obj: JsonObject): number | undefined {
  const ttl = ownValue(obj, 'ttl');
  if (ttl === undefined) return undefined;
  if (typeof ttl !== 'number' || !(ttl > 0) || ttl > MAX_COMMAND_TTL_SECONDS) {
    throw invalid('ttl', `must be a number of seconds in (0, ${MAX_COMMAND_TTL_SECONDS}]`);
  }
  return Math.max(1, Math.round(ttl * 1000));
}

/** `{"op", "type"?, "attributes"? (merge-patch), "replaceAttributes"? (boolean), "requestId"?}`. */
export function decodeRegistry(raw: RawRecord): RegistryInput {
  const obj = parseObject(raw, 'registry');
  const op = ownValue(obj, 'op');
  if (!REGISTRY_OPS.includes(op as RegistryOp))
    throw invalid('op', `must be one of ${REGISTRY_OPS.join(', ')}`);
  return {
    kind: 'registry',
    ...base(raw),
    op: op as RegistryOp,
    ...opt('type', optionalString(obj, 'type')),
    ...opt('attributes', optionalObject(obj, 'attributes')),
    ...opt('replaceAttributes', optionalBoolean(obj, 'replaceAttributes')),
    ...opt('requestId', optionalString(obj, 'requestId')),
  };
}

function optionalBoolean(obj: JsonObject, field: string): boolean | undefined {
  const value = ownValue(obj, field);
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(field, 'must be a boolean');
}
