import { toIso } from './json';
import type { DownlinkMessage, FoldConfig, JsonObject, TwinEvent, TwinEventType, TwinState } from './model';

/**
 * One change in progress: the candidate state plus what it emits. Handlers replace `state` with
 * new objects (copy-on-write) and never mutate the objects they were given, so the original
 * state can be compared with the candidate at the end to decide whether anything changed.
 */
export interface Draft {
  state: TwinState;
  /** The version the twin will have if this change turns out to change anything. */
  readonly version: number;
  readonly nowMs: number;
  readonly config: FoldConfig;
  readonly events: TwinEvent[];
  readonly downlink: DownlinkMessage[];
}

export function startDraft(state: TwinState, nowMs: number, config: FoldConfig): Draft {
  return { state, version: state.version + 1, nowMs, config, events: [], downlink: [] };
}

/** Replaces top-level fields of the candidate state. */
export function update(draft: Draft, patch: Partial<TwinState>): void {
  draft.state = { ...draft.state, ...patch };
}

export function emit(draft: Draft, type: TwinEventType, data: JsonObject = {}): void {
  draft.events.push(makeEvent(draft.state.id, type, draft.version, draft.nowMs, data));
}

export function makeEvent(
  deviceId: string,
  type: TwinEventType,
  version: number,
  nowMs: number,
  data: JsonObject,
): TwinEvent {
  return { type, deviceId, version, timestamp: toIso(nowMs), data };
}

/** Copies `key: value` into `data` only when value is defined (events stay JSON-clean). */
export function withOptional<T extends JsonObject>(
  data: T,
  extra: Record<string, JsonObject[string] | undefined>,
): T {
  const out: JsonObject = { ...data };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out as T;
}
