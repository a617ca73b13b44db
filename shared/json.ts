import { getOwn, isPlainObject } from './safe-json';

/** JSON values: what parseJsonSafely returns and JSON.stringify writes. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Narrowing for JSON objects (plain objects: not arrays, null or class instances). */
export function isJsonObject(value: unknown): value is JsonObject {
  return isPlainObject(value);
}

/** Own-property read of a JSON object (`toString` as a field name must not hit the prototype). */
export function ownValue(obj: JsonObject, key: string): JsonValue | undefined {
  return getOwn(obj, key) as JsonValue | undefined;
}
