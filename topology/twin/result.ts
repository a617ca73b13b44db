import { type Draft, makeEvent } from './draft';
import { computeDelta, deltaOf } from './delta';
import { deepEqual } from './json';
import type { FoldResult, JsonObject, TwinGrave, TwinState } from './model';

/**
 * Closes a draft. Nothing differs from the original -> 'unchanged' (no version bump, nothing
 * emitted). Otherwise the version moves to `draft.version`, `updatedAt` to the draft time (never
 * backwards), and `delta.changed` is appended if the delta moved.
 */
export function finishDraft(original: TwinState | undefined, draft: Draft): FoldResult {
  if (original !== undefined && deepEqual(original, draft.state)) return unchanged();
  const before = deltaOf(original);
  const after = computeDelta(draft.state.reported, draft.state.desired);
  const events = [...draft.events];
  if (!deepEqual(before, after)) {
    events.push(makeEvent(draft.state.id, 'delta.changed', draft.version, draft.nowMs, { delta: after }));
  }
  const state: TwinState = {
    ...draft.state,
    version: draft.version,
    updatedAt: Math.max(draft.state.updatedAt, draft.nowMs),
  };
  return { state, events, downlink: [...draft.downlink], outcome: 'changed' };
}

export function unchanged(): FoldResult {
  return { state: undefined, events: [], downlink: [], outcome: 'unchanged' };
}

export function ignored(reason: string): FoldResult {
  return { state: undefined, events: [], downlink: [], outcome: 'ignored', reason };
}

/** Deletion: a tombstone and `twin.deleted`, one version past the last, which the grave keeps. */
export function deleted(state: TwinState, nowMs: number, data: JsonObject): FoldResult {
  const version = state.version + 1;
  const event = makeEvent(state.id, 'twin.deleted', version, nowMs, data);
  const grave: TwinGrave = { id: state.id, deleted: true, version, deletedAt: nowMs };
  return { state: null, grave, events: [event], downlink: [], outcome: 'deleted' };
}
