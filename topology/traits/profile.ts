import { isForbiddenKey, isPlainObject } from '../../shared/safe-json';
import type { Bounds, DeviceProfile, FieldProfile, FieldSettings, ValidationResult } from './types';

/**
 * The profile of a device type without one of its own: seed 003's figures (3 σ spikes, 10 stuck
 * readings, 0.1 /min drift, 1.0 /min rapid change, 70 % stability, a 10-minute forecast).
 */
export const DEFAULT_PROFILE: Readonly<DeviceProfile> = deepFreeze({
  driftPerMinute: 0.1,
  trendPerMinute: 0.01,
  rapidPerMinute: 1,
  spikeK: 3,
  stuckN: 10,
  stabilityScale: 10,
  minStabilityPercent: 70,
  staleAfterMs: 60_000,
  windows: { driftMs: 5 * 60_000, rapidMs: 60_000 },
  ringSize: 16,
  baselineAlpha: 0.1,
  warmup: 10,
  forecastMs: 10 * 60_000,
  hysteresis: { clearRatio: 0.8, clearAfter: 3 },
  fields: {},
});

/** Effective settings per profile object and field, computed once (profiles are never mutated). */
const SETTINGS = new WeakMap<DeviceProfile, Map<string, Readonly<FieldSettings & FieldProfile>>>();

/** The effective settings of one field: the profile's, overridden by the field's own. */
export function fieldSettings(profile: DeviceProfile, field: string): Readonly<FieldSettings & FieldProfile> {
  let byField = SETTINGS.get(profile);
  if (byField === undefined) SETTINGS.set(profile, (byField = new Map()));
  let settings = byField.get(field);
  if (settings === undefined) byField.set(field, (settings = computeSettings(profile, field)));
  return settings;
}

function computeSettings(profile: DeviceProfile, field: string): FieldSettings & FieldProfile {
  const own = Object.hasOwn(profile.fields, field) ? profile.fields[field] : undefined;
  const base: FieldSettings = {
    driftPerMinute: profile.driftPerMinute,
    trendPerMinute: profile.trendPerMinute,
    rapidPerMinute: profile.rapidPerMinute,
    spikeK: profile.spikeK,
    stuckN: profile.stuckN,
    stabilityScale: profile.stabilityScale,
    minStabilityPercent: profile.minStabilityPercent,
    staleAfterMs: profile.staleAfterMs,
  };
  return own === undefined ? base : { ...base, ...own };
}

type Problem = { field: string; message: string };
type NumberRule = { min: number; max: number; integer?: boolean; exclusiveMin?: boolean };

const SETTING_RULES: Record<keyof FieldSettings, NumberRule> = {
  driftPerMinute: { min: 0, max: 1e12, exclusiveMin: true },
  trendPerMinute: { min: 0, max: 1e12, exclusiveMin: true },
  rapidPerMinute: { min: 0, max: 1e12, exclusiveMin: true },
  spikeK: { min: 0, max: 1000, exclusiveMin: true },
  stuckN: { min: 2, max: 10_000, integer: true },
  stabilityScale: { min: 0, max: 1e12, exclusiveMin: true },
  minStabilityPercent: { min: 0, max: 100 },
  staleAfterMs: { min: 1, max: 366 * 24 * 3600_000, integer: true },
};
const PROFILE_RULES: Record<string, NumberRule> = {
  ringSize: { min: 3, max: 256, integer: true },
  baselineAlpha: { min: 0, max: 1, exclusiveMin: true },
  warmup: { min: 1, max: 10_000, integer: true },
  forecastMs: { min: 1000, max: 366 * 24 * 3600_000, integer: true },
  'windows.driftMs': { min: 1000, max: 7 * 24 * 3600_000, integer: true },
  'windows.rapidMs': { min: 1000, max: 7 * 24 * 3600_000, integer: true },
  'hysteresis.clearRatio': { min: 0, max: 1 },
  'hysteresis.clearAfter': { min: 1, max: 10_000, integer: true },
};
const MAX_FIELDS = 256;
const FIELD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks a profile as sent to `PUT /types/{type}/profile`: every key is optional (an absent one
 * keeps DEFAULT_PROFILE's value), unknown keys and out-of-range numbers are refused, each with
 * the dotted path of the offending field (e.g. `fields.temperature.calibration.min`).
 */
export function validateProfile(input: unknown): ValidationResult {
  const errors: Problem[] = [];
  if (!isPlainObject(input)) return { ok: false, errors: [{ field: '', message: 'must be a JSON object' }] };
  const allowed = new Set([
    ...Object.keys(SETTING_RULES),
    'ringSize',
    'baselineAlpha',
    'warmup',
    'forecastMs',
  ]);
  allowed.add('windows').add('hysteresis').add('fields');
  for (const key of Object.keys(input)) if (!allowed.has(key)) errors.push(unknown(key));
  const profile = structuredClone(DEFAULT_PROFILE) as DeviceProfile;
  const top = profile as unknown as Record<string, unknown>;
  for (const key of [...Object.keys(SETTING_RULES), 'ringSize', 'baselineAlpha', 'warmup', 'forecastMs']) {
    const rule = SETTING_RULES[key as keyof FieldSettings] ?? PROFILE_RULES[key]!;
    const value = readNumber(input, key, key, rule, errors);
    if (value !== undefined) top[key] = value;
  }
  readGroup(input, 'windows', profile.windows, errors);
  readGroup(input, 'hysteresis', profile.hysteresis, errors);
  if (Object.hasOwn(input, 'fields')) profile.fields = readFields(input.fields, errors);
  if (profile.windows.rapidMs > profile.windows.driftMs)
    errors.push({ field: 'windows.rapidMs', message: 'must not exceed windows.driftMs' });
  return errors.length === 0 ? { ok: true, profile } : { ok: false, errors };
}

function readGroup(input: Record<string, unknown>, name: string, target: object, errors: Problem[]): void {
  if (!Object.hasOwn(input, name)) return;
  const group = input[name];
  if (!isPlainObject(group)) {
    errors.push({ field: name, message: 'must be an object' });
    return;
  }
  const out = target as Record<string, number>;
  for (const key of Object.keys(group)) if (!Object.hasOwn(out, key)) errors.push(unknown(`${name}.${key}`));
  for (const key of Object.keys(out)) {
    const value = readNumber(group, key, `${name}.${key}`, PROFILE_RULES[`${name}.${key}`]!, errors);
    if (value !== undefined) out[key] = value;
  }
}

function readFields(value: unknown, errors: Problem[]): Record<string, FieldProfile> {
  const out: Record<string, FieldProfile> = {};
  if (!isPlainObject(value)) {
    errors.push({ field: 'fields', message: 'must be an object' });
    return out;
  }
  const names = Object.keys(value);
  if (names.length > MAX_FIELDS) errors.push({ field: 'fields', message: `at most ${MAX_FIELDS} fields` });
  for (const name of names) {
    const path = `fields.${name}`;
    if (isForbiddenKey(name) || !FIELD_NAME.test(name)) {
      errors.push({ field: path, message: 'is not a valid field name' });
      continue;
    }
    const entry = value[name];
    if (!isPlainObject(entry)) {
      errors.push({ field: path, message: 'must be an object' });
      continue;
    }
    out[name] = readField(entry, path, errors);
  }
  return out;
}

function readField(entry: Record<string, unknown>, path: string, errors: Problem[]): FieldProfile {
  const field: FieldProfile = {};
  const known = new Set([...Object.keys(SETTING_RULES), 'thresholds', 'calibration', 'ignore']);
  for (const key of Object.keys(entry)) if (!known.has(key)) errors.push(unknown(`${path}.${key}`));
  for (const [key, rule] of Object.entries(SETTING_RULES)) {
    const value = readNumber(entry, key, `${path}.${key}`, rule, errors);
    if (value !== undefined) field[key as keyof FieldSettings] = value;
  }
  for (const key of ['thresholds', 'calibration'] as const) {
    const bounds = readBounds(entry, key, `${path}.${key}`, errors);
    if (bounds !== undefined) field[key] = bounds;
  }
  if (Object.hasOwn(entry, 'ignore')) {
    if (typeof entry.ignore === 'boolean') field.ignore = entry.ignore;
    else errors.push({ field: `${path}.ignore`, message: 'must be true or false' });
  }
  return field;
}

function readBounds(
  entry: Record<string, unknown>,
  key: string,
  path: string,
  errors: Problem[],
): Bounds | undefined {
  if (!Object.hasOwn(entry, key)) return undefined;
  const value = entry[key];
  if (!isPlainObject(value)) {
    errors.push({ field: path, message: 'must be an object with min and/or max' });
    return undefined;
  }
  for (const k of Object.keys(value)) if (k !== 'min' && k !== 'max') errors.push(unknown(`${path}.${k}`));
  const any: NumberRule = { min: -1e15, max: 1e15 };
  const min = readNumber(value, 'min', `${path}.min`, any, errors);
  const max = readNumber(value, 'max', `${path}.max`, any, errors);
  if (!Object.hasOwn(value, 'min') && !Object.hasOwn(value, 'max')) {
    errors.push({ field: path, message: 'needs min or max' });
  }
  if (min !== undefined && max !== undefined && min >= max)
    errors.push({ field: `${path}.max`, message: 'must be greater than min' });
  return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
}

function readNumber(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  rule: NumberRule,
  errors: Problem[],
): number | undefined {
  if (!Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  const low = rule.exclusiveMin === true ? value === rule.min : false;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < rule.min || value > rule.max || low) {
    const bound = `${rule.exclusiveMin === true ? 'above' : 'at least'} ${rule.min} and at most ${rule.max}`;
    errors.push({
      field: path,
      message: `must be a${rule.integer === true ? 'n integer' : ' number'} ${bound}`,
    });
    return undefined;
  }
  if (rule.integer === true && !Number.isInteger(value)) {
    errors.push({ field: path, message: 'must be an integer' });
    return undefined;
  }
  return value;
}

function unknown(field: string): Problem {
  return { field, message: 'is not a profile setting' };
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value))
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  return Object.freeze(value);
}
