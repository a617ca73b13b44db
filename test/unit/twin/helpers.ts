import {
  DEFAULT_FOLD_CONFIG,
  foldTwin,
  type FoldConfig,
  type FoldResult,
  type JsonObject,
  type JsonValue,
  type RegistryOp,
  type StoredTwin,
  type TwinEvent,
  type TwinInput,
  type TwinState,
} from '../../../topology/twin';

/** 2026-11-24T10:00:00.000Z */
export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
export const ID = 'sensor-001';
export const SEC = 1000;
export const MIN = 60 * SEC;

/** The twin's own rules are checked without traits; test/unit/traits checks those. */
export const CONFIG: FoldConfig = { ...DEFAULT_FOLD_CONFIG, traits: false };

/** Recursively freezes a value so any mutation by the code under test throws (strict mode). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Folds with a frozen copy of `state` and the record time `nowMs`. */
export function fold(
  state: StoredTwin | undefined,
  input: TwinInput,
  nowMs = input.timestampMs,
  config = CONFIG,
): FoldResult {
  const frozen = state === undefined ? undefined : deepFreeze(structuredClone(state));
  return foldTwin(frozen, input, { nowMs, config });
}

/** Folds and returns the state afterwards (the old one when unchanged or ignored). */
export function next(state: TwinState | undefined, input: TwinInput, nowMs = input.timestampMs): TwinState {
  const result = fold(state, input, nowMs);
  if (result.state === null) throw new Error('twin was deleted');
  const out = result.state ?? state;
  if (out === undefined) throw new Error(`no twin after ${input.kind} (${result.outcome} ${result.reason})`);
  return out;
}

/** Folds a sequence; each input at its own timestampMs. */
export function foldAll(inputs: TwinInput[], start?: TwinState): TwinState {
  let state = start;
  for (const input of inputs) state = next(state, input);
  if (state === undefined) throw new Error('no twin');
  return state;
}

export function eventTypes(result: FoldResult): string[] {
  return result.events.map((e) => e.type);
}

export function eventsOf(result: FoldResult, type: TwinEvent['type']): TwinEvent[] {
  return result.events.filter((e) => e.type === type);
}

export const telemetry = (readings: JsonObject, t = T0, id = ID): TwinInput => ({
  kind: 'telemetry',
  deviceId: id,
  timestampMs: t,
  readings,
});

export const stateMsg = (
  reported: JsonObject,
  t = T0,
  stateVersion: number | null = null,
  id = ID,
): TwinInput => ({
  kind: 'state',
  deviceId: id,
  timestampMs: t,
  reported,
  stateVersion,
});

export const status = (s: 'online' | 'offline', t = T0, id = ID): TwinInput => ({
  kind: 'status',
  deviceId: id,
  timestampMs: t,
  status: s,
});

export const ack = (commandId: string, s = 'success', t = T0, result?: JsonValue): TwinInput => ({
  kind: 'ack',
  deviceId: ID,
  timestampMs: t,
  commandId,
  status: s,
  ...(result === undefined ? {} : { result }),
});

export const deviceError = (code: string, message: string, t = T0, details?: JsonValue): TwinInput => ({
  kind: 'error',
  deviceId: ID,
  timestampMs: t,
  errorCode: code,
  message,
  ...(details === undefined ? {} : { details }),
});

export const desired = (
  patch: JsonObject,
  t = T0,
  extra: { ifVersion?: number; requestId?: string } = {},
): TwinInput => ({
  kind: 'desired',
  deviceId: ID,
  timestampMs: t,
  patch,
  ...extra,
});

export const command = (
  commandId: string,
  t = T0,
  extra: {
    action?: string;
    priority?: number;
    ttlMs?: number;
    parameters?: JsonObject;
    requestId?: string;
  } = {},
): TwinInput => ({
  kind: 'command',
  deviceId: ID,
  timestampMs: t,
  commandId,
  action: extra.action ?? 'reboot',
  parameters: extra.parameters ?? {},
  priority: extra.priority ?? 0,
  ...(extra.ttlMs === undefined ? {} : { ttlMs: extra.ttlMs }),
  ...(extra.requestId === undefined ? {} : { requestId: extra.requestId }),
});

export const registry = (
  op: RegistryOp,
  t = T0,
  extra: { type?: string; attributes?: JsonObject; replaceAttributes?: boolean; requestId?: string } = {},
): TwinInput => ({ kind: 'registry', deviceId: ID, timestampMs: t, op, ...extra });

/** An online, active twin created by one telemetry message at T0. */
export function onlineTwin(readings: JsonObject = { temperature: 20 }, t = T0): TwinState {
  return next(undefined, telemetry(readings, t));
}

/** A twin that spoke at T0 and went offline at T0 + 1s. */
export function offlineTwin(): TwinState {
  return next(onlineTwin(), status('offline', T0 + SEC));
}
