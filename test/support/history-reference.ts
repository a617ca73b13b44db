import { DEFAULT_JSON_LIMITS } from '../../shared/safe-json';
import {
  decodeInput,
  foldTwin,
  toTwinDocument,
  type StoredTwin,
  type TwinDocument,
} from '../../topology/twin';
import { FOLD_CONFIG, type Round } from './workload';

/**
 * What the history of a workload must hold, computed in the test from the rounds (with the record
 * times the broker stored, see runRounds): every reading the fold accepted, and every version of
 * every twin with its document. It runs the processor's pure fold for the twins (as
 * referenceFold does) and none of the history code (topology/history/): keys, entries, edits,
 * patches, scans and aggregates are the system under test.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

export interface RefReading {
  timestamp: number;
  receivedAt: number;
  source: 'telemetry' | 'state';
  values: JsonMap;
  clock?: 'receive';
}

export interface RefVersion {
  version: number;
  /** The record time of the change. */
  timestamp: number;
  /** The document at this version; null when the change deleted the twin. */
  document: JsonMap | null;
}

export interface HistoryReference {
  readings: Map<string, RefReading[]>;
  versions: Map<string, RefVersion[]>;
}

const asMap = (doc: TwinDocument): JsonMap => JSON.parse(JSON.stringify(doc)) as JsonMap;

export function historyReference(rounds: readonly Round[]): HistoryReference {
  const stored = new Map<string, StoredTwin>();
  const readings = new Map<string, RefReading[]>();
  const versions = new Map<string, RefVersion[]>();
  const push = <T>(map: Map<string, T[]>, id: string, item: T): void => {
    map.set(id, [...(map.get(id) ?? []), item]);
  };
  for (const round of rounds) {
    for (const r of round.records) {
      let input;
      try {
        input = decodeInput(r.kind, r.key, Buffer.from(r.value), r.timestampMs, DEFAULT_JSON_LIMITS);
      } catch {
        continue; // dead-lettered
      }
      const before = stored.get(r.key);
      const result = foldTwin(before, input, { nowMs: r.timestampMs, config: FOLD_CONFIG });
      const accepted = result.outcome === 'changed' || result.outcome === 'unchanged';
      if (accepted && (input.kind === 'telemetry' || input.kind === 'state')) {
        push(readings, r.key, {
          timestamp: input.timestampMs,
          receivedAt: r.timestampMs,
          source: input.kind,
          values: (input.kind === 'telemetry' ? input.readings : input.reported) as JsonMap,
          ...(input.deviceTimestampMs === undefined ? {} : { clock: 'receive' as const }),
        });
      }
      if (result.state === undefined) continue;
      const version = result.state === null ? result.grave!.version : result.state.version;
      push(versions, r.key, {
        version,
        timestamp: r.timestampMs,
        document: result.state === null ? null : asMap(toTwinDocument(result.state)),
      });
      const next = result.state ?? result.grave;
      if (next !== undefined) stored.set(r.key, next);
    }
  }
  return { readings, versions };
}

/** The document of the twin at `atMs`: after the last change at or before it (null: none or deleted). */
export function documentAt(versions: readonly RefVersion[], atMs: number): JsonMap | null {
  let doc: JsonMap | null = null;
  for (const v of versions) if (v.timestamp <= atMs) doc = v.document;
  return doc;
}

function isMap(v: Json | undefined): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: applies `patch` to `target`. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isMap(patch)) return patch;
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * The smallest RFC 7386 merge patch from `from` to `to`: changed members, removed ones as null,
 * nested objects member by member, anything else (arrays, a null) whole.
 */
export function mergePatchDiff(from: JsonMap, to: JsonMap): JsonMap {
  const patch: JsonMap = {};
  for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    const old = from[k];
    if (JSON.stringify(old) === JSON.stringify(v)) continue;
    patch[k] = isMap(old) && isMap(v) ? mergePatchDiff(old, v) : v;
  }
  return patch;
}

/** Sorts readings in a canonical order, so two lists of the same readings compare equal. */
export function canonical<T extends { timestamp: number | string; source: string; values: unknown }>(
  xs: T[],
): T[] {
  const key = (x: T): string => `${String(x.timestamp)}|${x.source}|${JSON.stringify(x.values)}`;
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
