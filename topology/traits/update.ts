import {
  clearAt,
  fieldConditions,
  healthCondition,
  judge,
  type AlertBook,
  type AlertTransition,
} from './alerts';
import { observe } from './field';
import { fieldHealth, fieldScore, twinHealth } from './health';
import { fieldSettings } from './profile';
import type { DeviceProfile, FieldTraitsState, Health, TraitsState } from './types';

const EMPTY_TRAITS: Readonly<TraitsState> = Object.freeze({ fields: {}, alerts: [], raised: 0 });

/** One input's numeric readings, all at one reading time. */
export interface TraitReadings {
  deviceId: string;
  /** Reading time (the payload's, or the record's when the device clock is not trusted). */
  t: number;
  values: ReadonlyArray<readonly [string, number]>;
  /** Whether a field still has a numeric reported value after the input (else its traits go). */
  isNumeric: (field: string) => boolean;
}

export interface TraitsUpdate {
  /** The new traits; undefined when nothing changed. */
  traits: TraitsState | undefined;
  transitions: AlertTransition[];
}

/**
 * Folds one input's readings into the traits: each reading newer than its field's ring is
 * observed and its field's alerts judged; then the twin-level UNHEALTHY alert. Fields that are no
 * longer numeric in `reported`, or that the profile ignores, lose their traits and open alerts.
 * Pure: never mutates `previous`.
 */
export function updateTraits(
  previous: TraitsState | undefined,
  readings: TraitReadings,
  profile: DeviceProfile,
): TraitsUpdate {
  const before = previous ?? EMPTY_TRAITS;
  const book: AlertBook = { open: before.alerts, raised: before.raised, transitions: [] };
  // Copied once, at the first observed reading; `previous` is never mutated.
  let fields = before.fields;
  let observed = false;
  for (const [field, value] of readings.values) {
    if (fieldSettings(profile, field).ignore === true) continue;
    const o = observe(
      Object.hasOwn(fields, field) ? fields[field] : undefined,
      field,
      readings.t,
      value,
      profile,
    );
    if (o === undefined) continue;
    if (!observed) fields = { ...fields };
    observed = true;
    fields[field] = o.state;
    judge(
      book,
      readings.deviceId,
      field,
      fieldConditions(profile, field, o.state.e, o.measures, book.open),
      readings.t,
      profile,
    );
  }
  fields = dropGone(fields, book, readings, profile);
  if (observed) {
    const all = fields;
    const condition = healthCondition(profile, foldedScore(all), () => healthOf(all));
    judge(book, readings.deviceId, null, [condition], readings.t, profile);
  }
  if (fields === before.fields && book.open === before.alerts && book.raised === before.raised) {
    return { traits: undefined, transitions: [] };
  }
  return { traits: { fields, alerts: book.open, raised: book.raised }, transitions: book.transitions };
}

/** The twin's health as the fold judged it (without freshness). */
export function healthOf(fields: Readonly<Record<string, FieldTraitsState>>): Health {
  const healths: [string, Health][] = [];
  for (const name in fields)
    if (Object.hasOwn(fields, name)) healths.push([name, fieldHealth(fields[name]!.e, undefined)]);
  return twinHealth(healths);
}

/** `healthOf(fields).score`, without writing the issues. */
export function foldedScore(fields: Readonly<Record<string, FieldTraitsState>>): number {
  let score = 100;
  for (const name in fields)
    if (Object.hasOwn(fields, name)) score = Math.min(score, fieldScore(fields[name]!.e, false));
  return score;
}

function dropGone(
  fields: Record<string, FieldTraitsState>,
  book: AlertBook,
  readings: TraitReadings,
  profile: DeviceProfile,
): Record<string, FieldTraitsState> {
  let kept = fields;
  for (const f in fields) {
    if (!Object.hasOwn(fields, f)) continue;
    if (readings.isNumeric(f) && fieldSettings(profile, f).ignore !== true) continue;
    if (kept === fields) kept = { ...fields };
    delete kept[f];
    for (const alert of book.open.filter((a) => a.field === f))
      clearAt(book, book.open.indexOf(alert), readings.t);
  }
  return kept;
}
