import { type Draft, emit, update, withOptional } from './draft';
import { computeDelta } from './delta';
import { deepEqual } from './json';
import { applyDesiredPatch } from './merge';
import type { JsonObject } from './model';

/**
 * Merge-patches the desired state. When it changes: `desired.changed` (carrying the request id,
 * so the API can learn the resulting version) and a desired downlink. The downlink is sent even
 * while the device is offline; the bridge decides whether to retain it, and a reconnect resends
 * it anyway whenever the delta is non-empty.
 */
export function applyDesired(draft: Draft, patch: JsonObject, requestId?: string): void {
  const { desired, metadata } = draft.state;
  const next = applyDesiredPatch(
    { values: desired, meta: metadata.desired },
    patch,
    draft.nowMs,
    draft.version,
  );
  if (deepEqual(next.values, desired) && deepEqual(next.meta, metadata.desired)) return;
  update(draft, { desired: next.values, metadata: { ...metadata, desired: next.meta } });
  emit(draft, 'desired.changed', withOptional({ patch }, { requestId }));
  sendDesired(draft);
}

/** Queues the desired downlink `{version, desired, delta}` for the twin as it stands in the draft. */
export function sendDesired(draft: Draft): void {
  const { id, reported, desired } = draft.state;
  draft.downlink.push({
    kind: 'desired',
    deviceId: id,
    payload: { version: draft.version, desired, delta: computeDelta(reported, desired) },
  });
}
