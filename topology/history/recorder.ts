import type { JsonObject } from '../../shared/json';
import {
  deepEqual,
  isDeviceInput,
  liveTwin,
  type FoldResult,
  type StoredTwin,
  type TwinDocument,
  type TwinInput,
  type TwinState,
} from '../twin';
import { documentOf } from '../document-memo';
import { editPair } from './edit-pair';
import { encodeChange, encodeReading, type ChangeEntry, type ReadingEntry } from './entries';
import { bucketEnd, type RetentionPolicy } from './retention';
import { changeKey, readingKey, readingSeq } from './keys';
import type { ChangeKind } from './queries';

/** An entry ready for the store and its changelog. */
export interface HistoryWrite {
  readonly key: string;
  readonly value: Buffer;
  /** The changelog record's timestamp: the entry's time, so the topic's retention follows it. */
  readonly timestampMs: number;
  readonly bucket: number;
  readonly kind: 'reading' | 'change' | 'rollup' | 'meta';
  /** A reading's device and entry as stored: what the store folds into the minute's roll-up. */
  readonly reading?: { readonly deviceId: string; readonly entry: ReadingEntry };
}

/** One fold of one twin, as the task saw it. `input` and `offset` are absent for timer folds. */
export interface FoldFacts {
  readonly deviceId: string;
  readonly input?: TwinInput;
  /** The input record's offset in its partition. */
  readonly offset?: string;
  readonly before: StoredTwin | undefined;
  readonly result: FoldResult;
  /** The record time (or the timer's time). */
  readonly atMs: number;
}

/** Entries of this size or more lose their edits (a change) or values (a reading): see README.md. */
export const MAX_ENTRY_BYTES = 512 * 1024;

/** Actor of device messages and of timers. */
export const DEVICE_ACTOR = 'device';
export const SYSTEM_ACTOR = 'system';
/** Actor of an application write without a `twinfold.actor` header. */
export const UNKNOWN_ACTOR = 'unknown';

/**
 * Turns folds into history entries: every accepted reading (telemetry, state) and every twin
 * change (a new version), with the edits between the twin documents of the two versions.
 */
export class HistoryRecorder {
  constructor(private readonly retention: RetentionPolicy) {}

  entriesOf(f: FoldFacts): HistoryWrite[] {
    const out: HistoryWrite[] = [];
    const reading = this.reading(f);
    if (reading) out.push(reading);
    const change = this.change(f);
    if (change) out.push(change);
    return out;
  }

  private reading({ input, offset, result, before, atMs }: FoldFacts): HistoryWrite | undefined {
    if (input === undefined || offset === undefined) return undefined;
    if (input.kind !== 'telemetry' && input.kind !== 'state') return undefined;
    if (result.outcome !== 'changed' && result.outcome !== 'unchanged') return undefined;
    const type = (result.state ?? liveTwin(before))?.type;
    const t = input.timestampMs;
    const retention = this.retention.retentionFor(type);
    const seq = readingSeq(input.kind, offset);
    const entry: ReadingEntry = {
      t,
      r: atMs,
      s: input.kind === 'telemetry' ? 't' : 's',
      o: seq,
      x: t + retention,
      v: input.kind === 'telemetry' ? input.readings : input.reported,
      ...(input.deviceTimestampMs === undefined ? {} : { c: 1 as const }),
    };
    let stored = entry;
    let value = encodeReading(entry);
    if (value.length >= MAX_ENTRY_BYTES) value = encodeReading((stored = { ...entry, v: {} }));
    const bucket = bucketEnd(entry.x, retention);
    return {
      key: readingKey(bucket, input.deviceId, t, seq),
      value,
      timestampMs: t,
      bucket,
      kind: 'reading',
      reading: { deviceId: input.deviceId, entry: stored },
    };
  }

  private change({ deviceId, input, before, result, atMs }: FoldFacts): HistoryWrite | undefined {
    if (result.state === undefined) return undefined;
    const old = liveTwin(before);
    const version =
      result.state === null ? (result.grave?.version ?? (before?.version ?? 0) + 1) : result.state.version;
    const type = (result.state ?? old)?.type;
    const retention = this.retention.retentionFor(type);
    const from = this.document(old);
    const to = this.document(result.state ?? undefined);
    const entry: ChangeEntry = {
      n: version,
      t: atMs,
      x: atMs + retention,
      k: changeKinds(old, result.state ?? undefined),
      a: actorOf(input),
      ...(input !== undefined && !isDeviceInput(input) && input.reason !== undefined
        ? { w: input.reason }
        : {}),
    };
    const pair = editPair(asJson(from), asJson(to));
    let value = encodeChange(entry, pair);
    if (value.length >= MAX_ENTRY_BYTES) value = encodeChange(entry, undefined);
    const bucket = bucketEnd(entry.x, retention);
    return { key: changeKey(bucket, deviceId, version), value, timestampMs: atMs, bucket, kind: 'change' };
  }

  private document(state: TwinState | undefined): TwinDocument | undefined {
    return state === undefined ? undefined : documentOf(state);
  }
}

/** A twin document as the JSON object it is. */
export function asJson(doc: TwinDocument | undefined): JsonObject | undefined {
  return doc as unknown as JsonObject | undefined;
}

function actorOf(input: TwinInput | undefined): string {
  if (input === undefined) return SYSTEM_ACTOR;
  if (isDeviceInput(input)) return DEVICE_ACTOR;
  return input.actor ?? UNKNOWN_ACTOR;
}

const EMPTY_STATE_PARTS = {
  reported: {},
  desired: {},
  attributes: {},
  commands: [],
  connection: { status: 'unknown', since: null, lastSeen: null },
  lastError: null,
} as const;

/**
 * What parts of the twin a change touched: reported (values or their metadata, the device's state
 * version), desired, attributes, lifecycle (lifecycle, type, creation, deletion), commands,
 * connection (status, last seen, the device's last error).
 */
export function changeKinds(before: TwinState | undefined, after: TwinState | undefined): ChangeKind[] {
  const a = before ?? EMPTY_STATE_PARTS;
  const b = after ?? EMPTY_STATE_PARTS;
  const differs = (x: unknown, y: unknown): boolean => x !== y && !deepEqual(x, y);
  const kinds: ChangeKind[] = [];
  const meta = (s: TwinState | undefined, k: 'reported' | 'desired'): unknown => s?.metadata[k] ?? {};
  if (
    differs(a.reported, b.reported) ||
    differs(meta(before, 'reported'), meta(after, 'reported')) ||
    (before?.stateVersion ?? null) !== (after?.stateVersion ?? null)
  )
    kinds.push('reported');
  if (differs(a.desired, b.desired) || differs(meta(before, 'desired'), meta(after, 'desired')))
    kinds.push('desired');
  if (differs(a.attributes, b.attributes)) kinds.push('attributes');
  if (
    before === undefined ||
    after === undefined ||
    before.lifecycle !== after.lifecycle ||
    before.type !== after.type
  )
    kinds.push('lifecycle');
  if (differs(a.commands, b.commands)) kinds.push('commands');
  if (differs(a.connection, b.connection) || differs(a.lastError, b.lastError)) kinds.push('connection');
  return kinds;
}
