import { type Draft, update } from './draft';
import { deepEqual } from './json';
import { applyReadings, applySnapshot, type FieldSet } from './merge';
import type { JsonObject } from './model';

/** Telemetry: readings merge into reported, field by field, last-writer-wins by reading time. */
export function applyTelemetry(draft: Draft, readings: JsonObject, readingTime: number): void {
  setReported(draft, applyReadings(reportedFields(draft), readings, readingTime, draft.version));
}

/**
 * A full reported state. Returns false (and changes nothing) when the device-side `version` is
 * not newer than the last accepted one. A state without `version` is always applied (per-field
 * LWW still protects newer readings) and leaves `stateVersion` as it was.
 */
export function applyState(
  draft: Draft,
  snapshot: JsonObject,
  stateTime: number,
  version: number | null,
): boolean {
  const last = draft.state.stateVersion;
  if (version !== null && last !== null && version <= last) return false;
  setReported(draft, applySnapshot(reportedFields(draft), snapshot, stateTime, draft.version));
  if (version !== null) update(draft, { stateVersion: version });
  return true;
}

function reportedFields(draft: Draft): FieldSet {
  return { values: draft.state.reported, meta: draft.state.metadata.reported };
}

function setReported(draft: Draft, next: FieldSet): void {
  const { reported, metadata } = draft.state;
  // Keep the original references when nothing moved, so "unchanged" stays cheap to detect.
  if (deepEqual(next.values, reported) && deepEqual(next.meta, metadata.reported)) return;
  update(draft, { reported: next.values, metadata: { ...metadata, reported: next.meta } });
}
