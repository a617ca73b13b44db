import { deepEqual, ownValue } from './json';
import type { JsonObject, TwinState } from './model';

/**
 * The desired fields whose reported value differs (deep equality on top-level fields), with the
 * desired value; `{}` when converged.
 */
export function computeDelta(reported: JsonObject, desired: JsonObject): JsonObject {
  const delta: JsonObject = {};
  for (const key of Object.keys(desired)) {
    const want = desired[key];
    if (want === undefined || deepEqual(ownValue(reported, key), want)) continue;
    delta[key] = want;
  }
  return delta;
}

export function deltaOf(state: TwinState | undefined): JsonObject {
  return state === undefined ? {} : computeDelta(state.reported, state.desired);
}

export function isConverged(state: TwinState): boolean {
  return Object.keys(computeDelta(state.reported, state.desired)).length === 0;
}
