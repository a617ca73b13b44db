import type { Round } from './workload';

/**
 * A second, independent reference for the integration workloads: what every twin's `reported`,
 * `desired` and `delta` must be, computed straight from the generated records by a small model of
 * the contract (topology/twin/README.md, shared/inputs/README.md). It imports no fold, decoder or
 * twin code on purpose: `referenceFold` runs the processor's own functions and so proves delivery,
 * ordering and restore, but not the semantics; this model does. It covers the workload's
 * vocabulary only and throws on anything it does not model rather than guessing.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** The part of a twin document this model decides. */
export interface ExpectedTwin {
  reported: JsonMap;
  desired: JsonMap;
  delta: JsonMap;
}

interface ModelTwin {
  /** Pending and active twins accept the same inputs, so the model does not tell them apart. */
  lifecycle: 'open' | 'suspended' | 'decommissioned';
  reported: Map<string, Json>;
  /** Reading time of each reported field's last write, deletions (tombstones) included. */
  stamps: Map<string, number>;
  stateVersion: number | null;
  desired: JsonMap;
}

/** Raised for input the model does not cover: extend the model, do not let it guess. */
class Unmodelled extends Error {}

const DEFAULT_MAX_CLOCK_SKEW_MS = 300_000;
const EARLIEST_TRUSTED_MS = Date.UTC(2000, 0, 1);
const REGISTRY_OPS = ['create', 'update', 'suspend', 'resume', 'decommission', 'delete'];

/** Twins alive after every round, by id. */
export function independentTwins(
  rounds: Round[],
  maxClockSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS,
): Map<string, ExpectedTwin> {
  const twins = new Map<string, ModelTwin>();
  const seen = new Map<string, number>();
  for (const round of rounds) {
    for (const { kind, key, value, timestampMs } of round.records) {
      const earlier = seen.get(key) ?? 0;
      seen.set(key, earlier + 1);
      if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(key) || key.length > 128) continue; // dead letter
      const body = parse(value);
      const twin = twins.get(key);
      const create = (): ModelTwin => {
        const made: ModelTwin = {
          lifecycle: 'open',
          reported: new Map(),
          stamps: new Map(),
          stateVersion: null,
          desired: {},
        };
        twins.set(key, made);
        return made;
      };
      switch (kind) {
        case 'telemetry': {
          const input = telemetry(body, timestampMs, maxClockSkewMs);
          if (input === undefined) break;
          const target = twin ?? create();
          if (target.lifecycle !== 'open') break;
          for (const [field, reading] of Object.entries(input.readings)) {
            const current = target.reported.get(field);
            writeField(target, field, reading === null ? undefined : mergePatch(current, reading), input.at);
          }
          break;
        }
        case 'state': {
          const input = state(body, timestampMs, maxClockSkewMs);
          if (input === undefined) break;
          const target = twin ?? create();
          if (target.lifecycle !== 'open') break;
          const last = target.stateVersion;
          if (input.version !== null && last !== null && input.version <= last) break;
          const fields = new Set([...target.reported.keys(), ...Object.keys(input.reported)]);
          for (const field of fields) {
            const next = Object.hasOwn(input.reported, field) ? input.reported[field] : null;
            writeField(target, field, next === null ? undefined : next, input.at);
          }
          if (input.version !== null) target.stateVersion = input.version;
          break;
        }
        case 'status':
        case 'error':
          // A device speaking makes its twin; neither touches reported or desired.
          if ((kind === 'status' ? isStatus(body, value) : isError(body)) && twin === undefined) create();
          break;
        case 'ack':
        case 'command':
          // Neither makes a twin (an ack for an unknown twin cannot find its command) nor touches
          // reported or desired; a pending twin's activation by an ack changes no gate modelled here.
          break;
        case 'desired': {
          const input = desired(body);
          if (input === undefined || twin === undefined || twin.lifecycle !== 'open') break;
          if (input.ifVersion !== undefined) {
            // A live twin's version is at least 1 and at most the number of records before this one.
            if (input.ifVersion === 0 || input.ifVersion > earlier) break; // version conflict
            throw new Unmodelled(`ifVersion ${input.ifVersion} for ${key} needs the twin's version`);
          }
          const next = mergePatch(twin.desired, input.patch);
          twin.desired = isMap(next) ? next : {};
          break;
        }
        case 'registry': {
          const op = registryOp(body);
          if (op === undefined) break;
          if (twin === undefined) {
            if (op === 'create') create();
          } else if (op === 'delete') twins.delete(key);
          else if (twin.lifecycle === 'decommissioned') break;
          else if (op === 'suspend' && twin.lifecycle === 'open') twin.lifecycle = 'suspended';
          else if (op === 'resume' && twin.lifecycle === 'suspended') twin.lifecycle = 'open';
          else if (op === 'decommission') twin.lifecycle = 'decommissioned';
          break;
        }
        default:
          throw new Unmodelled(`input kind ${String(kind)}`);
      }
    }
  }
  const out = new Map<string, ExpectedTwin>();
  for (const [id, twin] of twins) {
    const reported = Object.fromEntries(twin.reported) as JsonMap;
    const delta: JsonMap = {};
    for (const [field, want] of Object.entries(twin.desired)) {
      if (!sameJson(reported[field], want)) delta[field] = want;
    }
    out.set(id, { reported, desired: twin.desired, delta });
  }
  return out;
}

/**
 * Ids whose reported, desired or delta differ from the model, or that exist on one side only,
 * each with what differs. Key order does not matter.
 */
export function independentProblems(
  actual: Map<string, ExpectedTwin | null | undefined>,
  expected: Map<string, ExpectedTwin>,
): string[] {
  const problems: string[] = [];
  for (const id of [...new Set([...actual.keys(), ...expected.keys()])].sort()) {
    const got = actual.get(id) ?? undefined;
    const want = expected.get(id);
    if (got === undefined || want === undefined) {
      problems.push(`${id}: ${got === undefined ? 'missing' : 'unexpected'}`);
      continue;
    }
    for (const part of ['reported', 'desired', 'delta'] as const) {
      if (!sameJson(got[part], want[part]))
        problems.push(`${id}.${part}: ${JSON.stringify(got[part])}, model ${JSON.stringify(want[part])}`);
    }
  }
  return problems;
}

/** Last-writer-wins on one reported field; `undefined` deletes and leaves the time as a tombstone. */
function writeField(twin: ModelTwin, field: string, next: Json | undefined, at: number): void {
  const stamp = twin.stamps.get(field);
  if (stamp !== undefined && at < stamp) return; // older than the value or tombstone it would replace
  if (next === undefined && !twin.reported.has(field) && stamp === undefined) return;
  if (next === undefined) twin.reported.delete(field);
  else twin.reported.set(field, next);
  twin.stamps.set(field, at);
}

/** RFC 7386. */
function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isMap(patch)) return patch;
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function telemetry(
  body: Json | undefined,
  recordMs: number,
  skewMs: number,
): { at: number; readings: JsonMap } | undefined {
  if (!isMap(body)) return undefined;
  refuseUnmodelled(body, ['device_id', 'type', 'metadata']);
  const data = body['data'];
  const wrapped = isMap(data) && Object.keys(body).every((k) => k === 'data' || k === 'timestamp');
  const readings = wrapped ? data : without(body, ['timestamp']);
  if (Object.keys(readings).length === 0) return undefined;
  return { at: readingTime(body['timestamp'], recordMs, skewMs), readings };
}

function state(
  body: Json | undefined,
  recordMs: number,
  skewMs: number,
): { at: number; version: number | null; reported: JsonMap } | undefined {
  if (!isMap(body)) return undefined;
  refuseUnmodelled(body, ['device_id', 'type']);
  const version = body['version'];
  if (version !== undefined && !(Number.isSafeInteger(version) && Number(version) >= 0)) return undefined;
  const meta = ['version', 'timestamp'];
  const wrapper = ['state', 'reported'].find(
    (k) => isMap(body[k]) && Object.keys(body).every((key) => key === k || meta.includes(key)),
  );
  const reported = wrapper === undefined ? without(body, meta) : body[wrapper];
  if (!isMap(reported)) return undefined;
  return {
    at: readingTime(body['timestamp'], recordMs, skewMs),
    version: typeof version === 'number' ? version : null,
    reported,
  };
}

function isStatus(body: Json | undefined, text: string): boolean {
  const word = (w: unknown): boolean => typeof w === 'string' && /^(online|offline)$/i.test(w);
  if (text.length <= 32 && word(text.trim())) return true;
  if (isMap(body)) refuseUnmodelled(body, ['timestamp', 'device_id', 'type']);
  return isMap(body) ? word(body['status']) : word(body);
}

function isError(body: Json | undefined): boolean {
  if (!isMap(body)) return false;
  refuseUnmodelled(body, ['device_id', 'type', 'timestamp']);
  const code = body['error_code'];
  const codeOk = (typeof code === 'string' && code !== '') || Number.isSafeInteger(code);
  return codeOk && typeof body['message'] === 'string';
}

function desired(body: Json | undefined): { patch: JsonMap; ifVersion?: number } | undefined {
  if (!isMap(body) || !isMap(body['patch'])) return undefined;
  const ifVersion = body['ifVersion'];
  if (ifVersion === undefined) return { patch: body['patch'] };
  if (typeof ifVersion !== 'number' || !Number.isSafeInteger(ifVersion) || ifVersion < 0) return undefined;
  return { patch: body['patch'], ifVersion };
}

function registryOp(body: Json | undefined): string | undefined {
  if (!isMap(body)) return undefined;
  refuseUnmodelled(body, ['replaceAttributes']);
  const { op, type, attributes } = body;
  if (typeof op !== 'string' || !REGISTRY_OPS.includes(op)) return undefined;
  if ((type !== undefined && typeof type !== 'string') || (attributes !== undefined && !isMap(attributes)))
    return undefined;
  return op;
}

/**
 * The time a reading is folded at: the payload's (epoch seconds below 1e11, epoch ms, or the ISO
 * form `toISOString` writes), unless later than the record time plus the allowed skew or before
 * 2000: then the record time (the broker's). The record time when the payload has none.
 */
function readingTime(timestamp: Json | undefined, recordMs: number, skewMs: number): number {
  if (timestamp === undefined) return recordMs;
  let ms: number;
  if (typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp >= 0) {
    ms = Math.round(timestamp < 1e11 ? timestamp * 1000 : timestamp);
  } else if (typeof timestamp === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(timestamp)) {
    ms = Date.parse(timestamp);
  } else {
    throw new Unmodelled(`timestamp ${JSON.stringify(timestamp)}`);
  }
  return ms > recordMs + skewMs || ms < EARLIEST_TRUSTED_MS ? recordMs : ms;
}

/** JSON.parse, or undefined when the text is not JSON. */
function parse(text: string): Json | undefined {
  try {
    return JSON.parse(text, (key: string, value: Json) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype')
        throw new Unmodelled(`key ${key}`);
      return value;
    }) as Json;
  } catch (err) {
    if (err instanceof Unmodelled) throw err;
    return undefined;
  }
}

function refuseUnmodelled(body: JsonMap, keys: string[]): void {
  const found = keys.find((k) => Object.hasOwn(body, k));
  if (found !== undefined) throw new Unmodelled(`payload key ${found}`);
}

function isMap(value: Json | undefined): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function without(body: JsonMap, keys: string[]): JsonMap {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !keys.includes(k)));
}

/** Deep equality of JSON values, object key order aside. */
function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: Json | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isMap(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
