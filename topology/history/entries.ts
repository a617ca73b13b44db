import { TwinfoldError } from '../../shared/errors';
import { isJsonObject, type JsonObject } from '../../shared/json';
import { isEdit, type Edit } from './edit';
import { isEditPair, splitPair, type EditPair } from './edit-pair';
import { CHANGE_KINDS, type ChangeKind } from './queries';

/**
 * The two kinds of history entry and their stored form. Everything a query needs is in the value,
 * so scans read values only. A change is JSON with short member names; a reading is the compact
 * form of `encodeReading` (a format character first), or JSON when written before it existed.
 */
export interface ReadingEntry {
  /** The reading's time as folded (the receive time when the device clock was not trusted). */
  t: number;
  /** The record (broker receive) time. */
  r: number;
  /** `t`: telemetry, `s`: state. */
  s: 't' | 's';
  /** Position in the key after the time: source and input offset (see keys.ts readingSeq). */
  o: string;
  /** Expiry (ms). */
  x: number;
  v: JsonObject;
  /** 1: the device clock was not trusted. */
  c?: 1;
}

export interface ChangeEntry {
  /** The twin version this change made. */
  n: number;
  /** The change's time: the record time of its input, or the timer's time. */
  t: number;
  x: number;
  k: ChangeKind[];
  /** Edit of the twin document from version n - 1 to n; absent when too large to keep. */
  f?: Edit;
  /** Edit of the twin document from version n back to n - 1; absent when too large to keep. */
  u?: Edit;
  /** Actor. */
  a: string;
  /** Reason. */
  w?: string;
}

/** The JSON form every entry had before the compact ones (still read; tests write it). */
export function encodeEntry(entry: ReadingEntry | ChangeEntry): Buffer {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}

function corrupt(what: string, text: string): TwinfoldError {
  return new TwinfoldError('INTERNAL', `history store: undecodable ${what} entry`, {
    details: { entry: text.slice(0, 200) },
  });
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A reading's stored form, version 1 (text, as scans read values as UTF-8):
 *   U+0001, t, r, x (each 12 lowercase hex digits), clock ('0' or '1'), o (17 chars), JSON of v
 * About half the bytes of the JSON form, and only the values are parsed.
 */
const READING_V1 = '\u0001';
const V1_HEADER = 1 + 36 + 1 + 17;
const HEX12 = /^[0-9a-f]{12}$/;
const POSITION = /^[ts][0-9a-f]{16}$/;

function hex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffffffff)
    throw new RangeError(`reading time ${n} out of range`);
  return n.toString(16).padStart(12, '0');
}

export function encodeReading(e: ReadingEntry): Buffer {
  if (!POSITION.test(e.o) || e.o[0] !== e.s) throw new RangeError(`reading position ${e.o} is malformed`);
  const header = `${READING_V1}${hex(e.t)}${hex(e.r)}${hex(e.x)}${e.c === 1 ? '1' : '0'}${e.o}`;
  return Buffer.from(header + JSON.stringify(e.v), 'utf8');
}

function decodeReadingV1(text: string): ReadingEntry {
  const ts = text.slice(1, 13);
  const rs = text.slice(13, 25);
  const xs = text.slice(25, 37);
  const c = text[37];
  const o = text.slice(38, V1_HEADER);
  if (!HEX12.test(ts) || !HEX12.test(rs) || !HEX12.test(xs) || (c !== '0' && c !== '1') || !POSITION.test(o))
    throw corrupt('reading', text);
  const v: unknown = JSON.parse(text.slice(V1_HEADER));
  if (!isJsonObject(v)) throw corrupt('reading', text);
  const e: ReadingEntry = {
    t: parseInt(ts, 16),
    r: parseInt(rs, 16),
    s: o[0] as 't' | 's',
    o,
    x: parseInt(xs, 16),
    v,
  };
  if (c === '1') e.c = 1;
  return e;
}

/** A reading in either stored form. */
export function decodeReading(text: string): ReadingEntry {
  if (text[0] === READING_V1) return decodeReadingV1(text);
  const e: unknown = JSON.parse(text);
  if (
    !isJsonObject(e) ||
    !num(e.t) ||
    !num(e.r) ||
    (e.s !== 't' && e.s !== 's') ||
    typeof e.o !== 'string' ||
    !num(e.x) ||
    !isJsonObject(e.v)
  )
    throw corrupt('reading', text);
  return e as unknown as ReadingEntry;
}

const KIND_SET: ReadonlySet<unknown> = new Set(CHANGE_KINDS);

/**
 * A change's stored form, version 2: U+0002, then the JSON of the entry with both edits as one
 * EditPair `p` (each member name once) instead of `f` and `u`.
 */
const CHANGE_V2 = '\u0002';

/** A change entry to store; `pair` holds both its edits (absent: too large to keep, or none). */
export function encodeChange(entry: Omit<ChangeEntry, 'f' | 'u'>, pair: EditPair | undefined): Buffer {
  return Buffer.from(CHANGE_V2 + JSON.stringify(pair === undefined ? entry : { ...entry, p: pair }), 'utf8');
}

/** A change in either stored form (JSON with `f` and `u` before version 2). */
export function decodeChange(text: string): ChangeEntry {
  if (text[0] !== CHANGE_V2) return decodeChangeV1(text);
  const e: unknown = JSON.parse(text.slice(1));
  if (!isJsonObject(e) || (e.p !== undefined && !isEditPair(e.p)) || e.f !== undefined || e.u !== undefined)
    throw corrupt('change', text);
  const { p, ...rest } = e;
  const entry = p === undefined ? rest : { ...rest, ...splitEdits(p) };
  return checkChange(entry, text);
}

function splitEdits(p: EditPair): { f: Edit; u: Edit } {
  const [f, u] = splitPair(p);
  return { f, u };
}

function decodeChangeV1(text: string): ChangeEntry {
  return checkChange(JSON.parse(text), text);
}

function checkChange(e: unknown, text: string): ChangeEntry {
  if (
    !isJsonObject(e) ||
    !num(e.n) ||
    !num(e.t) ||
    !num(e.x) ||
    !Array.isArray(e.k) ||
    !e.k.every((k) => KIND_SET.has(k)) ||
    typeof e.a !== 'string' ||
    (e.f !== undefined && !isEdit(e.f)) ||
    (e.u !== undefined && !isEdit(e.u)) ||
    (e.w !== undefined && typeof e.w !== 'string')
  )
    throw corrupt('change', text);
  return e as unknown as ChangeEntry;
}
