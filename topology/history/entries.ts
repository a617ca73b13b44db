import { TwinfoldError } from '../../shared/errors';
import { isJsonObject, type JsonObject } from '../../shared/json';
import { isEdit, type Edit } from './edit';
import { CHANGE_KINDS, type ChangeKind } from './queries';

/**
 * The two kinds of history entry and their stored form (JSON, short member names: there is one
 * per reading). Everything a query needs is in the value, so scans read values only.
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

export function encodeEntry(entry: ReadingEntry | ChangeEntry): Buffer {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}

function corrupt(what: string, text: string): TwinfoldError {
  return new TwinfoldError('INTERNAL', `history store: undecodable ${what} entry`, {
    details: { entry: text.slice(0, 200) },
  });
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function decodeReading(text: string): ReadingEntry {
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

export function decodeChange(text: string): ChangeEntry {
  const e: unknown = JSON.parse(text);
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
