import type { KeyValueStore } from '../../store';
import { rollupKey, ROLLUP_START_KEY } from './keys';
import type { HistoryWrite } from './recorder';
import {
  copyRollUp,
  decodeRollUp,
  decodeRollupStart,
  emptyRollUp,
  encodeRollUp,
  encodeRollupStart,
  foldReading,
  minuteOf,
  type RollUp,
} from './rollup';

/** Committed roll-ups kept decoded (the minutes devices are sending in now). */
const CACHE_MAX = 20_000;
/** The roll-up start record is sent again this often, so the changelog's retention never drops it. */
const START_RESEND_MS = 86_400_000;

/**
 * The per-minute roll-ups of a history store (rollup.ts): each commit's readings are folded into
 * their minutes' roll-ups, read from a cache of committed ones or the store, and the new roll-ups
 * join the commit as entries of their own (changelog and store, like the readings). Nothing here
 * changes until the commit is durable (`committed`); a failed commit forgets it (`discard`).
 */
export class RollUps {
  private readonly cache = new Map<string, RollUp>();
  private staged = new Map<string, RollUp>();
  /** See firstRolledUpMinute; undefined until known (read at open, restored, or set at a commit). */
  private startMs: number | undefined;
  private startSentAt: number | undefined;
  private stagedStart: { from: number; at: number } | undefined;

  constructor(
    private readonly store: () => KeyValueStore,
    private readonly now: () => number,
  ) {}

  get start(): number | undefined {
    return this.startMs;
  }

  /** After opening the store: what it recorded (a store restored from scratch learns it in `restoredMeta`). */
  async open(): Promise<void> {
    this.cache.clear();
    this.staged.clear();
    this.startSentAt = undefined;
    const bytes = await this.store().get(ROLLUP_START_KEY);
    this.startMs = bytes === undefined ? undefined : decodeRollupStart(bytes);
  }

  /** A restored meta record. */
  restoredMeta(key: string, value: Buffer): void {
    if (key === ROLLUP_START_KEY) this.startMs = decodeRollupStart(value) ?? this.startMs;
  }

  /**
   * The roll-up entries of a commit's `pending` entries (and, with any, the start record when due).
   * `storeHasEntries`: whether the store held anything before (an older twinfold's readings).
   */
  async writesFor(pending: readonly HistoryWrite[], storeHasEntries: boolean): Promise<HistoryWrite[]> {
    this.staged = new Map();
    this.stagedStart = undefined;
    const out: HistoryWrite[] = [];
    if (pending.length === 0) return out;
    const now = this.now();
    const from = this.startMs ?? (storeHasEntries ? now : 0);
    if (this.startSentAt === undefined || now - this.startSentAt >= START_RESEND_MS) {
      this.stagedStart = { from, at: now };
      out.push({
        key: ROLLUP_START_KEY,
        value: encodeRollupStart(from),
        timestampMs: now,
        bucket: NaN,
        kind: 'meta',
      });
    }
    const groups = new Map<string, HistoryWrite[]>();
    for (const w of pending) {
      if (w.reading === undefined) continue;
      const key = rollupKey(w.bucket, w.reading.deviceId, minuteOf(w.reading.entry.t));
      const group = groups.get(key);
      if (group) group.push(w);
      else groups.set(key, [w]);
    }
    if (groups.size === 0) return out;
    const missing = [...groups.keys()].filter((k) => !this.cache.has(k));
    const stored = missing.length === 0 ? [] : await this.store().getMany(missing);
    const loaded = new Map<string, RollUp>();
    missing.forEach((k, i) => {
      const bytes = stored[i];
      if (bytes !== undefined) loaded.set(k, decodeRollUp(bytes.toString('utf8')));
    });
    for (const [key, writes] of groups) {
      const before = this.cache.get(key) ?? loaded.get(key);
      const first = writes[0]!;
      const r = before ? copyRollUp(before) : emptyRollUp(minuteOf(first.reading!.entry.t));
      let changed = false;
      let latest = 0;
      for (const w of writes) {
        if (foldReading(r, w.reading!.entry)) changed = true;
        latest = Math.max(latest, w.reading!.entry.t);
      }
      if (!changed) continue;
      this.staged.set(key, r);
      out.push({ key, value: encodeRollUp(r), timestampMs: latest, bucket: first.bucket, kind: 'rollup' });
    }
    return out;
  }

  /** The commit holding the last `writesFor` is durable (and in the store). */
  committed(): void {
    for (const [k, r] of this.staged) {
      this.cache.delete(k);
      this.cache.set(k, r);
    }
    this.staged = new Map();
    if (this.stagedStart) {
      this.startMs = this.stagedStart.from;
      this.startSentAt = this.stagedStart.at;
      this.stagedStart = undefined;
    }
    for (const k of this.cache.keys()) {
      if (this.cache.size <= CACHE_MAX) break;
      this.cache.delete(k);
    }
  }

  discard(): void {
    this.staged = new Map();
    this.stagedStart = undefined;
  }
}
