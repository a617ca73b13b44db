import { isForbiddenKey } from '../../shared/safe-json';
import { deepEqual, hasOwn, isJsonObject, ownValue } from './json';
import type { FieldMeta, JsonObject, JsonValue } from './model';

/**
 * RFC 7386 JSON merge-patch: objects merge key by key, `null` deletes, anything else replaces.
 * Never mutates its arguments (copy-on-write; untouched subtrees are shared). Prototype keys in
 * the patch are skipped, so even a patch not built by parseJsonSafely cannot pollute.
 */
export function mergePatch(target: JsonValue | undefined, patch: JsonObject): JsonObject;
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue;
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return copyJson(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    if (isForbiddenKey(key)) continue;
    const value = patch[key] as JsonValue;
    if (value === null) delete out[key];
    else out[key] = mergePatch(ownValue(out, key), value);
  }
  return out;
}

/** Deep copy of a JSON value, so the state never aliases an input the caller still holds. */
export function copyJson<T extends JsonValue>(value: T): T {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** A map of top-level fields with their metadata, updated field by field. */
export interface FieldSet {
  values: JsonObject;
  meta: Record<string, FieldMeta>;
}

/** What a message says about its reported values besides the values: units, an untrusted clock. */
export interface ReadingNotes {
  /** Unit per field. */
  units?: Record<string, string>;
  /** The device's own time when it was not trusted (`t` is then the receive time). */
  deviceTimestamp?: number;
}

/**
 * Reported readings (telemetry): per top-level field last-writer-wins by timestamp, merge-patch
 * inside object values. A reading older than the field's metadata (or tombstone) is dropped;
 * equal timestamps let the later message win. `null` deletes and leaves a tombstone.
 */
export function applyReadings(
  fields: FieldSet,
  readings: JsonObject,
  t: number,
  version: number,
  notes: ReadingNotes = {},
): FieldSet {
  const out = copyFieldSet(fields);
  for (const key of Object.keys(readings)) {
    if (isForbiddenKey(key)) continue;
    const value = readings[key] as JsonValue;
    writeReportedField(
      out,
      key,
      value === null ? undefined : mergePatch(ownValue(out.values, key), value),
      { timestamp: t, version },
      notes,
    );
  }
  return out;
}

/**
 * A full reported snapshot (state message): every field it lists replaces the current one and
 * every field it omits (or sets to null) is deleted, but still per field LWW: a field written by
 * a newer reading survives an older snapshot.
 */
export function applySnapshot(
  fields: FieldSet,
  snapshot: JsonObject,
  t: number,
  version: number,
  notes: ReadingNotes = {},
): FieldSet {
  const out = copyFieldSet(fields);
  const keys = new Set([...Object.keys(fields.values), ...Object.keys(snapshot)]);
  for (const key of keys) {
    if (isForbiddenKey(key)) continue;
    const value = ownValue(snapshot, key);
    writeReportedField(
      out,
      key,
      value === null || value === undefined ? undefined : copyJson(value),
      { timestamp: t, version },
      notes,
    );
  }
  return out;
}

/** Writes one reported field (undefined = delete) unless older than what the twin already holds. */
function writeReportedField(
  out: FieldSet,
  key: string,
  next: JsonValue | undefined,
  stamp: FieldMeta,
  notes: ReadingNotes,
): void {
  const meta = hasOwn(out.meta, key) ? out.meta[key] : undefined;
  if (meta !== undefined && stamp.timestamp < meta.timestamp) return;
  const current = ownValue(out.values, key);
  // Deleting a field the twin never had leaves no trace: there is nothing an old reading could undo.
  if (next === undefined && current === undefined && meta === undefined) return;
  if (deepEqual(next, current) && meta !== undefined && meta.timestamp === stamp.timestamp) return;
  if (next === undefined) delete out.values[key];
  else out.values[key] = next;
  out.meta[key] = next === undefined ? stamp : annotate(stamp, key, notes, meta);
}

/** A written value's metadata: its unit (the message's, else the field's previous one) and clock. */
function annotate(
  stamp: FieldMeta,
  key: string,
  notes: ReadingNotes,
  previous: FieldMeta | undefined,
): FieldMeta {
  const units = notes.units;
  const unit = (units !== undefined && hasOwn(units, key) ? units[key] : undefined) ?? previous?.unit;
  return {
    ...stamp,
    ...(unit === undefined ? {} : { unit }),
    ...(notes.deviceTimestamp === undefined
      ? {}
      : { clock: 'receive' as const, deviceTimestamp: notes.deviceTimestamp }),
  };
}

/**
 * Desired patch (RFC 7386). Applied in topic order, not by timestamp: desired state has one
 * writer per key (the partition), and record timestamps from several API instances may be skewed.
 * Metadata changes only for fields whose value changes, so replaying a patch is a no-op.
 */
export function applyDesiredPatch(fields: FieldSet, patch: JsonObject, t: number, version: number): FieldSet {
  const out = copyFieldSet(fields);
  for (const key of Object.keys(patch)) {
    if (isForbiddenKey(key)) continue;
    const value = patch[key] as JsonValue;
    const current = ownValue(out.values, key);
    if (value === null) {
      delete out.values[key];
      delete out.meta[key];
      continue;
    }
    const next = mergePatch(current, value);
    if (deepEqual(next, current)) continue;
    out.values[key] = next;
    out.meta[key] = { timestamp: t, version };
  }
  return out;
}

function copyFieldSet(fields: FieldSet): FieldSet {
  return { values: { ...fields.values }, meta: { ...fields.meta } };
}
