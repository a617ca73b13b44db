import { TwinfoldError } from '../errors';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../json';
import { isForbiddenKey } from '../safe-json';

/**
 * Field readers for decoded payloads. Each throws VALIDATION_ERROR naming the field, so a
 * dead-lettered record says what was wrong with it.
 */

export const MAX_NAME_LENGTH = 128;

export function invalid(field: string, why: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', `${field} ${why}`, { details: { field } });
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(what, 'must be a JSON object');
  return value;
}

export function requireString(obj: JsonObject, field: string, maxLength = MAX_NAME_LENGTH): string {
  const value = ownValue(obj, field);
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'must be a non-empty string');
  if (value.length > maxLength) throw invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

/** A string that may be empty (e.g. an error message), bounded in length. */
export function requireText(obj: JsonObject, field: string, maxLength: number): string {
  const value = ownValue(obj, field);
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length > maxLength) throw invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

export function optionalString(
  obj: JsonObject,
  field: string,
  maxLength = MAX_NAME_LENGTH,
): string | undefined {
  return ownValue(obj, field) === undefined ? undefined : requireString(obj, field, maxLength);
}

export function optionalInteger(obj: JsonObject, field: string, min: number): number | undefined {
  const value = ownValue(obj, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(field, `must be an integer >= ${min}`);
  }
  return value;
}

export function optionalObject(obj: JsonObject, field: string): JsonObject | undefined {
  const value = ownValue(obj, field);
  return value === undefined ? undefined : requireObject(value, field);
}

/** Any JSON value; absent stays undefined (null is a value). */
export function optionalValue(obj: JsonObject, field: string): JsonValue | undefined {
  return ownValue(obj, field);
}

/** A copy of `obj` without the given keys (nor prototype keys, whoever built `obj`). */
export function omitKeys(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key) && !isForbiddenKey(key)) out[key] = obj[key] as JsonValue;
  }
  return out;
}

/** True when every key of `obj` is one of `allowed`. */
export function onlyKeys(obj: JsonObject, allowed: readonly string[]): boolean {
  return Object.keys(obj).every((key) => allowed.includes(key));
}
