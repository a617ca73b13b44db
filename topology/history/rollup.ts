import { TwinfoldError } from '../../shared/errors';
import { isJsonObject, type JsonObject } from '../../shared/json';
import type { ReadingEntry } from './entries';

/** The span of a roll-up: one minute of one device's readings in one expiry bucket. */
export const ROLLUP_MS = 60_000;
/** Fields one roll-up keeps at most; a minute with more marks itself `partial` (see README.md). */
export const MAX_ROLLUP_FIELDS = 64;

/**
 * The summary of one numeric field over a minute's readings: count, sum, min, max, and the first
 * and last value with their order key (reading time, then position), as the Aggregator orders them.
 */
export interface FieldSummary {
  n: number;
  sum: number;
  min: number;
  max: number;
  ft: number;
  fo: string;
  fv: number;
  lt: number;
  lo: string;
  lv: number;
}

/**
 * The fold of the readings of one device, minute and expiry bucket: every numeric field at a
 * dotted path (objects only, as `valueAt` reads them). `x` is the earliest expiry of its readings:
 * a query uses a roll-up only while none of them has expired. `pos` is the last reading position
 * folded in, per source (`t`, `s`): records fold in offset order, so a reading at or below it is in
 * already (a batch replayed under at_least_once is not counted twice).
 */
export interface RollUp {
  readonly minute: number;
  x: number;
  readonly pos: { t?: string; s?: string };
  readonly fields: Map<string, FieldSummary>;
  /** Some field was left out (more than MAX_ROLLUP_FIELDS): a field not in `fields` is unknown. */
  partial: boolean;
}

export function minuteOf(t: number): number {
  return Math.floor(t / ROLLUP_MS) * ROLLUP_MS;
}

export function emptyRollUp(minute: number): RollUp {
  return { minute, x: Infinity, pos: {}, fields: new Map(), partial: false };
}

export function copyRollUp(r: RollUp): RollUp {
  const fields = new Map<string, FieldSummary>();
  for (const [k, s] of r.fields) fields.set(k, { ...s });
  return { minute: r.minute, x: r.x, pos: { ...r.pos }, fields, partial: r.partial };
}

/** Calls `visit` for every numeric value of `values` at a path `valueAt` can reach (no `.` in names). */
function numericLeaves(values: JsonObject, prefix: string, visit: (path: string, v: number) => void): void {
  for (const name of Object.keys(values)) {
    if (name.includes('.')) continue;
    const v = values[name];
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (typeof v === 'number') visit(path, v);
    else if (isJsonObject(v)) numericLeaves(v, path, visit);
  }
}

/**
 * Folds one reading of the roll-up's minute into it (in place); false when it was in already.
 * A reading with no numeric field still moves `pos` and `x`.
 */
export function foldReading(r: RollUp, e: ReadingEntry): boolean {
  const last = r.pos[e.s];
  if (last !== undefined && e.o <= last) return false;
  r.pos[e.s] = e.o;
  r.x = Math.min(r.x, e.x);
  numericLeaves(e.v, '', (path, v) => {
    const s = r.fields.get(path);
    if (s === undefined) {
      if (r.fields.size >= MAX_ROLLUP_FIELDS) {
        r.partial = true;
        return;
      }
      r.fields.set(path, { n: 1, sum: v, min: v, max: v, ft: e.t, fo: e.o, fv: v, lt: e.t, lo: e.o, lv: v });
      return;
    }
    s.n += 1;
    s.sum += v;
    if (v < s.min) s.min = v;
    if (v > s.max) s.max = v;
    if (e.t < s.ft || (e.t === s.ft && e.o < s.fo)) [s.ft, s.fo, s.fv] = [e.t, e.o, v];
    if (e.t > s.lt || (e.t === s.lt && e.o > s.lo)) [s.lt, s.lo, s.lv] = [e.t, e.o, v];
  });
  return true;
}

/** Stored form version: the first member of the stored JSON array. */
const ROLLUP_FORMAT = 1;
type StoredSummary = [string, number, number, number, number, number, string, number, number, string, number];

export function encodeRollUp(r: RollUp): Buffer {
  const fields: StoredSummary[] = [];
  for (const [k, s] of r.fields)
    fields.push([k, s.n, s.sum, s.min, s.max, s.ft, s.fo, s.fv, s.lt, s.lo, s.lv]);
  const stored = [ROLLUP_FORMAT, r.minute, r.x, r.pos.t ?? null, r.pos.s ?? null, r.partial ? 1 : 0, fields];
  return Buffer.from(JSON.stringify(stored), 'utf8');
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optString = (v: unknown): v is string | null => v === null || typeof v === 'string';

function isSummary(f: unknown): f is StoredSummary {
  return (
    Array.isArray(f) &&
    f.length === 11 &&
    typeof f[0] === 'string' &&
    [1, 2, 3, 4, 5, 7, 8, 10].every((i) => num(f[i])) &&
    typeof f[6] === 'string' &&
    typeof f[9] === 'string'
  );
}

function corruptRollUp(text: string): TwinfoldError {
  return new TwinfoldError('INTERNAL', 'history store: undecodable roll-up entry', {
    details: { entry: text.slice(0, 200) },
  });
}

/** What a query needs of a stored roll-up: its minute, expiry, whether partial, and one field. */
export interface RollUpOfField {
  readonly minute: number;
  readonly x: number;
  readonly partial: boolean;
  readonly summary: FieldSummary | undefined;
}

/** Decodes only what a query of `field` reads (the fast path of aggregates). */
export function decodeRollUpField(text: string, field: string): RollUpOfField {
  const a: unknown = JSON.parse(text);
  if (!Array.isArray(a) || a[0] !== ROLLUP_FORMAT || !num(a[1]) || !num(a[2]) || !Array.isArray(a[6]))
    throw corruptRollUp(text);
  let summary: FieldSummary | undefined;
  for (const f of a[6] as unknown[]) {
    if (!Array.isArray(f) || f[0] !== field) continue;
    if (!isSummary(f)) throw corruptRollUp(text);
    const [, n, sum, min, max, ft, fo, fv, lt, lo, lv] = f;
    summary = { n, sum, min, max, ft, fo, fv, lt, lo, lv };
    break;
  }
  return { minute: a[1], x: a[2], partial: a[5] === 1, summary };
}

export function decodeRollUp(text: string): RollUp {
  const a: unknown = JSON.parse(text);
  if (
    !Array.isArray(a) ||
    a[0] !== ROLLUP_FORMAT ||
    !num(a[1]) ||
    !num(a[2]) ||
    !optString(a[3]) ||
    !optString(a[4]) ||
    (a[5] !== 0 && a[5] !== 1) ||
    !Array.isArray(a[6]) ||
    !a[6].every(isSummary)
  )
    throw corruptRollUp(text);
  const fields = new Map<string, FieldSummary>();
  for (const [k, n, sum, min, max, ft, fo, fv, lt, lo, lv] of a[6] as StoredSummary[])
    fields.set(k, { n, sum, min, max, ft, fo, fv, lt, lo, lv });
  const pos: { t?: string; s?: string } = {};
  if (typeof a[3] === 'string') pos.t = a[3];
  if (typeof a[4] === 'string') pos.s = a[4];
  return { minute: a[1], x: a[2], pos, fields, partial: a[5] === 1 };
}

/**
 * Readings written before a store had roll-ups (by an older twinfold) have none. A store records
 * when it started making them (`ROLLUP_START_KEY`, on its changelog too): 0 when it started empty,
 * else the wall clock then. Those older readings lie before that time plus the largest clock skew
 * a reading may have (MAX_CLOCK_SKEW_MS, at most a day), so roll-ups answer from this minute on.
 */
export function firstRolledUpMinute(rollupStart: number): number {
  return rollupStart === 0 ? 0 : Math.ceil((rollupStart + 86_400_000) / ROLLUP_MS) * ROLLUP_MS;
}

export function encodeRollupStart(from: number): Buffer {
  return Buffer.from(JSON.stringify({ from }), 'utf8');
}

export function decodeRollupStart(bytes: Buffer): number | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return isJsonObject(v) && num(v.from) ? v.from : undefined;
  } catch {
    return undefined;
  }
}
