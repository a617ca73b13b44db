import { isJsonObject, type JsonObject, type JsonValue } from './json';
import { isForbiddenKey } from '../shared/safe-json';

/**
 * RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces.
 * Returns a new object; forbidden keys (`__proto__`, ...) in the patch are skipped.
 */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (isForbiddenKey(key)) continue;
    if (value === null) {
      delete out[key];
    } else if (isJsonObject(value)) {
      const current = out[key];
      out[key] = mergePatch(isJsonObject(current) ? current : {}, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/** The desired fields whose reported value differs (docs/contract.md `delta`). */
export function computeDelta(desired: JsonObject, reported: JsonObject): JsonObject {
  const delta: JsonObject = {};
  for (const [key, value] of Object.entries(desired)) {
    if (!jsonEqual(value, reported[key])) delta[key] = value;
  }
  return delta;
}
