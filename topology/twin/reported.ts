import type { StateInput, TelemetryInput } from '../../shared/inputs';
import { type Draft, update } from './draft';
import { deepEqual } from './json';
import { applyReadings, applySnapshot, type FieldSet, type ReadingNotes } from './merge';
import { applyTraits } from './traits';

/**
 * Telemetry: readings merge into reported, field by field, last-writer-wins by reading time. The
 * fields' metadata takes the message's units, and `clock: receive` when the device's time was not
 * trusted (the reading is then timed at the broker's receive time).
 */
export function applyTelemetry(draft: Draft, input: TelemetryInput): void {
  setReported(
    draft,
    applyReadings(reportedFields(draft), input.readings, input.timestampMs, draft.version, notesOf(input)),
  );
  applyTraits(draft, input.readings, input.timestampMs);
}

/**
 * A full reported state. Returns false (and changes nothing) when the device-side `version` is
 * not newer than the last accepted one. A state without `version` is always applied (per-field
 * LWW still protects newer readings) and leaves `stateVersion` as it was.
 */
export function applyState(draft: Draft, input: StateInput): boolean {
  const { stateVersion: version } = input;
  const last = draft.state.stateVersion;
  if (version !== null && last !== null && version <= last) return false;
  setReported(
    draft,
    applySnapshot(reportedFields(draft), input.reported, input.timestampMs, draft.version, notesOf(input)),
  );
  if (version !== null) update(draft, { stateVersion: version });
  applyTraits(draft, input.reported, input.timestampMs);
  return true;
}

function notesOf(input: TelemetryInput | StateInput): ReadingNotes {
  return {
    ...(input.kind === 'telemetry' && input.units !== undefined ? { units: input.units } : {}),
    ...(input.deviceTimestampMs === undefined ? {} : { deviceTimestamp: input.deviceTimestampMs }),
  };
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
