import type { BehaviourMeta, DeviceKind } from '../../shared/inputs';
import {
  MAX_SEND_TIMES,
  MAX_STATUSES,
  MIX_KINDS,
  SIZE_BUCKET_BYTES,
  SIZE_BUCKETS,
  type WindowSums,
} from './types';

/** One device message as the behaviour fold sees it. */
export interface Observation {
  /** Record time. */
  t: number;
  kind: DeviceKind;
  meta: BehaviourMeta;
  /** A status message's word. */
  status?: 'online' | 'offline';
}

/** A window opened at `start`, after a latest send time `previous` and with session `on` open. */
export function emptyWindow(start: number, previous: number | null, on: number | null): WindowSums {
  return {
    s: start,
    n: 0,
    bytes: 0,
    q: [0, 0, 0],
    k: [0, 0, 0, 0, 0],
    dup: 0,
    ret: 0,
    sz: new Array<number>(SIZE_BUCKETS).fill(0),
    ts: [],
    p: previous,
    lat: [0, 0, 0],
    con: 0,
    dis: 0,
    st: [],
    o: on,
    label: null,
  };
}

/** The message's send time: the device's own clock when it gives one (network jitter hides beacons). */
export function sentAt(o: Observation): number {
  return o.meta.deviceTs ?? o.t;
}

/**
 * Adds one message to a window, in place (`w` is the fold's own copy). Every sum is commutative
 * and the kept times are the earliest, sorted: the result does not depend on the order a window's
 * messages are folded in.
 */
export function addToWindow(w: WindowSums, o: Observation): void {
  const { meta } = o;
  w.n += 1;
  w.bytes += meta.bytes;
  w.q[meta.qos] = (w.q[meta.qos] ?? 0) + 1;
  w.k[MIX_KINDS.indexOf(o.kind)]! += 1;
  if (meta.dup) w.dup += 1;
  if (meta.retain) w.ret += 1;
  w.sz[Math.min(SIZE_BUCKETS - 1, Math.floor(meta.bytes / SIZE_BUCKET_BYTES))]! += 1;
  insertSorted(w.ts, sentAt(o) - w.s, MAX_SEND_TIMES);
  if (meta.deviceTs !== undefined) add3(w.lat, o.t - meta.deviceTs);
  if (o.status === 'online') w.con += 1;
  if (o.status === 'offline') w.dis += 1;
  if (o.status !== undefined)
    insertSorted(w.st, 2 * (o.t - w.s) + (o.status === 'online' ? 1 : 0), MAX_STATUSES);
  if (meta.label !== undefined && (w.label === null || meta.label < w.label)) w.label = meta.label;
}

/** What a window's kept times give when it closes: inter-arrival and session sums, the session after. */
export interface ClosedTimes {
  /** Inter-arrival count, sum, sum of squares (ms). */
  ia: number[];
  /** Sessions that ended in the window: count and total length (ms). */
  ses: number[];
  /** Start of the session still open at the window's end, or null. */
  on: number | null;
}

export function closeTimes(w: WindowSums): ClosedTimes {
  const ia = [0, 0, 0];
  let previous = w.p;
  for (const rel of w.ts) {
    const at = w.s + rel;
    if (previous !== null) add3(ia, Math.max(0, at - previous));
    previous = previous === null ? at : Math.max(previous, at);
  }
  const ses = [0, 0];
  let on = w.o;
  for (const code of w.st) {
    const at = w.s + Math.floor(code / 2);
    if (code % 2 !== 0) on = at;
    else {
      if (on !== null) {
        ses[0]! += 1;
        ses[1]! += Math.max(0, at - on);
      }
      on = null;
    }
  }
  return { ia, ses, on };
}

/** Inserts `x` into the sorted `list` in place, keeping at most `max` (the smallest). */
function insertSorted(list: number[], x: number, max: number): void {
  if (list.length >= max && x >= list[list.length - 1]!) return;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
  if (list.length > max) list.pop();
}

function add3(sums: number[], x: number): void {
  sums[0]! += 1;
  sums[1]! += x;
  sums[2]! += x * x;
}

/** A copy the fold may change in place. */
export function copyWindow(w: WindowSums): WindowSums {
  return {
    ...w,
    q: [...w.q],
    k: [...w.k],
    sz: [...w.sz],
    ts: [...w.ts],
    lat: [...w.lat],
    st: [...w.st],
  };
}
