/**
 * Types of the network-behaviour twin (seed 001 sections 1.1–1.4): what the fold keeps per device
 * (one open window, a few baselines, the last closed window's features, open alerts; bounded and
 * clock-free) and what the twin document and the dataset show. Times are epoch milliseconds.
 */
import type { AlertView, OpenAlert } from '../traits';

/** How behaviour is folded (settings `BEHAVIOUR_*`). */
export interface BehaviourSettings {
  /** Tumbling windows aligned to multiples of this (record time). */
  windowMs: number;
  /** Windows the baselines need before they judge spikes, mix and timing. */
  warmup: number;
  /** A window rate this many baseline standard deviations above the mean (and 3× it) is a spike. */
  spikeK: number;
  /** Total-variation distance between the window's and the baseline's message mix for PROTOCOL_MIX. */
  mixDistance: number;
  /** Disconnects in one window that make a RECONNECT_BURST (repeated failed connections). */
  reconnectBurst: number;
  /** Connects in one window that make a CONNECTION_FLOOD. */
  floodConnects: number;
  /** Payload-size entropy (bits) above which a window is PAYLOAD_ENTROPY (with 6+ messages). */
  entropyBits: number;
  /** Latency above the baseline by more than this (ms, and 4 σ) is a TIMING_ANOMALY. */
  latencyMs: number;
  /** Inter-arrival coefficient of variation below this (6+ intervals) is BEACONING ... */
  beaconCv: number;
  /** ... when the baseline's was above this (the device was not periodic before). */
  irregularCv: number;
}

/** Message kinds in mix order. */
export const MIX_KINDS = ['telemetry', 'state', 'status', 'ack', 'error'] as const;
/** Payload-size histogram: buckets of this many bytes, the last open-ended. */
export const SIZE_BUCKET_BYTES = 64;
export const SIZE_BUCKETS = 16;
/** A window keeps at most this many send times and status messages (the earliest). */
export const MAX_SEND_TIMES = 256;
export const MAX_STATUSES = 64;

/** The open window's running sums (short keys: this is stored in every twin). */
export interface WindowSums {
  /** Window start. */
  s: number;
  n: number;
  bytes: number;
  /** Messages by QoS 0, 1, 2. */
  q: number[];
  /** Messages by kind (MIX_KINDS order). */
  k: number[];
  dup: number;
  ret: number;
  /** Payload-size histogram. */
  sz: number[];
  /**
   * Send times (device time, else record time) as ms after `s`, sorted: the window's first
   * MAX_SEND_TIMES. Inter-arrival is measured on them when the window closes, so the order the
   * processor folds a device's topics in does not matter.
   */
  ts: number[];
  /** The device's latest send time before the window (epoch ms), or null: the first gap's start. */
  p: number | null;
  /** Latency (record time − device time) count, sum, sum of squares (ms). */
  lat: number[];
  con: number;
  dis: number;
  /**
   * Status messages as 2 × (ms after `s`) + 1 for online, 0 for offline, sorted: the first
   * MAX_STATUSES. Sessions are replayed from them in time order when the window closes.
   */
  st: number[];
  /** Start of the session open when the window began (epoch ms), or null. */
  o: number | null;
  /** The ground-truth label of the window's labelled messages (the first by name if several), or null. */
  label: string | null;
}

/** An exponentially weighted baseline (traits/field.ts nextBaseline). */
export interface Baseline {
  n: number;
  mean: number;
  variance: number;
}

export interface BehaviourBaselines {
  rate: Baseline;
  latency: Baseline;
  cv: Baseline;
  entropy: Baseline;
  /** Share of each kind and QoS (MIX_KINDS then QoS 0..2), exponentially weighted. */
  mix: number[];
  /** Highest window rate seen (msgs/s), decaying 5 % a window. */
  peak: number;
  /** Windows folded into the baselines. */
  windows: number;
}

/** One device's behaviour over one closed window: a dataset row (docs/contract.md). */
export interface BehaviourFeatures {
  windowStart: number;
  windowMs: number;
  messages: number;
  /** msgs/s in the window, status messages left out; the baseline's mean (avg) and decaying peak. */
  rate: number;
  avgRate: number;
  peakRate: number;
  bytesMean: number;
  /** Shannon entropy (bits) of the payload-size histogram. */
  sizeEntropy: number;
  qos0: number;
  qos1: number;
  qos2: number;
  telemetry: number;
  state: number;
  status: number;
  ack: number;
  error: number;
  /** Total-variation distance of this mix from the baseline's (0..1). */
  mixDistance: number;
  dupRate: number;
  retainRate: number;
  /** Mean and standard deviation of record time − device time (ms); null without device times. */
  latencyMs: number | null;
  jitterMs: number | null;
  /** Mean inter-arrival (ms) and its coefficient of variation; null below 2 intervals. */
  interArrivalMs: number | null;
  interArrivalCv: number | null;
  connects: number;
  disconnects: number;
  /** Mean length of the sessions that ended in the window (ms), null if none. */
  sessionMs: number | null;
  label: string | null;
}

/** The `behaviour` member of the stored twin. */
export interface BehaviourState {
  w: WindowSums;
  /** The latest send time (device time, else record time) of any message folded so far. */
  last: number;
  /** Start of the session open at the end of the last closed window, or null. */
  on: number | null;
  b: BehaviourBaselines;
  /** The last closed window. */
  f: BehaviourFeatures | null;
  alerts: OpenAlert[];
  raised: number;
}

/** The twin document's `behaviour` section. */
export interface BehaviourView {
  window: BehaviourFeatures | null;
  alerts: AlertView[];
}
