import type { Brokers } from './support/brokers';

/** How big each benchmark is. `FULL` runs in a few minutes on 2 cores; `QUICK` only proves it runs. */
export interface Sizes {
  partitions: number;
  fold: { devices: number; records: number; maxSeconds: number };
  endToEnd: {
    devices: number;
    connections: number;
    rate: number;
    warmupSeconds: number;
    seconds: number;
    probesPerSecond: number;
    /** Max-rate search: first offered rate, doubled until a step fails, then one bisection. */
    firstStep: number;
    maxStep: number;
    stepSeconds: number;
  };
  api: {
    twins: number;
    ingestRate: number;
    getRate: number;
    seconds: number;
    concurrency: number;
    listRequests: number;
  };
  restore: { twins: number };
  hotDevice: { updates: number };
  /** bench/history.ts: fold with history on and off, history restore, local history queries. */
  history: {
    foldDevices: number;
    foldRecords: number;
    restoreEntries: number;
    /** Readings of the queried device over one day (one per second in full size). */
    dayReadings: number;
    /** Points of the telemetry query. */
    queryPoints: number;
    queryRuns: number;
  };
}

export const FULL_SIZES: Sizes = {
  partitions: 8,
  fold: { devices: 100_000, records: 400_000, maxSeconds: 60 },
  endToEnd: {
    devices: 2000,
    connections: 8,
    rate: 5000,
    warmupSeconds: 5,
    seconds: 20,
    probesPerSecond: 5,
    firstStep: 2000,
    maxStep: 64_000,
    stepSeconds: 20,
  },
  api: { twins: 10_000, ingestRate: 1000, getRate: 2000, seconds: 10, concurrency: 32, listRequests: 20 },
  restore: { twins: 1_000_000 },
  hotDevice: { updates: 20_000 },
  history: {
    foldDevices: 20_000,
    foldRecords: 200_000,
    restoreEntries: 1_000_000,
    dayReadings: 86_400,
    queryPoints: 10_000,
    queryRuns: 100,
  },
};

export const QUICK_SIZES: Sizes = {
  partitions: 2,
  fold: { devices: 200, records: 2000, maxSeconds: 20 },
  endToEnd: {
    devices: 20,
    connections: 2,
    rate: 100,
    warmupSeconds: 0.5,
    seconds: 2,
    probesPerSecond: 5,
    firstStep: 100,
    maxStep: 200,
    stepSeconds: 1.5,
  },
  api: { twins: 200, ingestRate: 50, getRate: 100, seconds: 1.5, concurrency: 4, listRequests: 3 },
  restore: { twins: 2000 },
  hotDevice: { updates: 200 },
  history: {
    foldDevices: 100,
    foldRecords: 2000,
    restoreEntries: 4000,
    dayReadings: 2000,
    queryPoints: 500,
    queryRuns: 5,
  },
};

/**
 * `FULL` with every count (devices, records, twins, updates) multiplied by `factor`; rates,
 * durations and partitions stay. For a shorter full-shape run: `npm run bench -- --scale 0.2`.
 */
export function scaleSizes(sizes: Sizes, factor: number): Sizes {
  const n = (x: number): number => Math.max(10, Math.round(x * factor));
  return {
    ...sizes,
    fold: { ...sizes.fold, devices: n(sizes.fold.devices), records: n(sizes.fold.records) },
    endToEnd: { ...sizes.endToEnd, devices: n(sizes.endToEnd.devices) },
    api: { ...sizes.api, twins: n(sizes.api.twins) },
    restore: { twins: n(sizes.restore.twins) },
    hotDevice: { updates: n(sizes.hotDevice.updates) },
    history: {
      ...sizes.history,
      foldDevices: n(sizes.history.foldDevices),
      foldRecords: n(sizes.history.foldRecords),
      restoreEntries: n(sizes.history.restoreEntries),
    },
  };
}

/** What every benchmark gets: sizes, brokers, where to put state and logs, and how to talk. */
export interface BenchContext {
  quick: boolean;
  sizes: Sizes;
  /** Unique per run: topic prefixes, group and application ids start with it. */
  runId: string;
  brokers: Brokers;
  /** State directories of the services (removed at the end). */
  workDir: string;
  /** Logs of every process started (kept). */
  logDir: string;
  /** When set, the services of the benchmarks named in `profile` run with --cpu-prof into it. */
  profileDir: string | undefined;
  profile: ReadonlySet<string>;
  versions: Record<string, string>;
  say(msg: string): void;
}
