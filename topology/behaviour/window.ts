import type { BehaviourMeta, DeviceKind } from '../../shared/inputs';
import { MIX_KINDS, SIZE_BUCKET_BYTES, SIZE_BUCKETS, type WindowSums } from './types';

/** One device message as the behaviour fold sees it. */
export interface Observation {
  /** Record time. */
  t: number;
  kind: DeviceKind;
  meta: BehaviourMeta;
  /** A status message's word. */
  status?: 'online' | 'offline';
}

export function emptyWindow(start: number): WindowSums {
  return {
    s: start,
    n: 0,
    bytes: 0,
    q: [0, 0, 0],
    k: [0, 0, 0, 0, 0],
    dup: 0,
    ret: 0,
    sz: new Array<number>(SIZE_BUCKETS).fill(0),
    ia: [0, 0, 0],
    lat: [0, 0, 0],
    con: 0,
    dis: 0,
    ses: [0, 0],
    label: null,
  };
}

/**
 * Adds one message to a window, in place (`w` is the fold's own copy). `gapMs` is the time since
 * the device's previous message (undefined for its first); `sessionMs` the length of a session
 * this message ended.
 */
export function addToWindow(
  w: WindowSums,
  o: Observation,
  gapMs: number | undefined,
  sessionMs: number | undefined,
): void {
  const { meta } = o;
  w.n += 1;
  w.bytes += meta.bytes;
  w.q[meta.qos] = (w.q[meta.qos] ?? 0) + 1;
  w.k[MIX_KINDS.indexOf(o.kind)]! += 1;
  if (meta.dup) w.dup += 1;
  if (meta.retain) w.ret += 1;
  w.sz[Math.min(SIZE_BUCKETS - 1, Math.floor(meta.bytes / SIZE_BUCKET_BYTES))]! += 1;
  if (gapMs !== undefined) add3(w.ia, gapMs);
  if (meta.deviceTs !== undefined) add3(w.lat, o.t - meta.deviceTs);
  if (o.status === 'online') w.con += 1;
  if (o.status === 'offline') w.dis += 1;
  if (sessionMs !== undefined) {
    w.ses[0]! += 1;
    w.ses[1]! += sessionMs;
  }
  if (meta.label !== undefined) w.label = meta.label;
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
    ia: [...w.ia],
    lat: [...w.lat],
    ses: [...w.ses],
  };
}
