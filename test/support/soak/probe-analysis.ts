/**
 * What the soak's readers and RSS sampler saw, judged (pure; unit-tested in test/unit/soak/).
 */

/** One answer to GET /twins/{id}: status 0 when the instance did not answer (killed, stopped). */
export interface ProbeAnswer {
  twin: string;
  instance: string;
  atMs: number;
  status: number;
  /** The twin's version and its `reported.seq`, on a 200. */
  version?: number;
  seq?: number;
}

/**
 * Answers of one twin's reader are sequential (one request at a time), so their order is the order
 * the twin was seen in: a 200 showing a version older than an earlier 200 (from any instance) is
 * a stale read.
 */
export function staleReads(answers: readonly ProbeAnswer[]): string[] {
  const newest = new Map<string, { version: number; instance: string }>();
  const problems: string[] = [];
  for (const a of answers) {
    if (a.status !== 200 || a.version === undefined) continue;
    const seen = newest.get(a.twin);
    if (seen !== undefined && a.version < seen.version)
      problems.push(
        `${a.twin}: ${a.instance} answered version ${a.version} after ${seen.instance} answered ${seen.version}`,
      );
    else newest.set(a.twin, { version: a.version, instance: a.instance });
  }
  return problems;
}

/**
 * The longest time one twin could not be read: from a 503 to the next 200 for it from any instance
 * (or to its last answer, when none came). Answers that are neither (no connection, 404 before the
 * twin exists) neither open nor close a window.
 */
export function longestUnavailable(answers: readonly ProbeAnswer[]): { twin: string; ms: number } {
  const open = new Map<string, number>();
  const last = new Map<string, number>();
  let worst = { twin: '', ms: 0 };
  const close = (twin: string, at: number): void => {
    const since = open.get(twin);
    if (since === undefined) return;
    open.delete(twin);
    if (at - since > worst.ms) worst = { twin, ms: at - since };
  };
  for (const a of answers) {
    last.set(a.twin, a.atMs);
    if (a.status === 503 && !open.has(a.twin)) open.set(a.twin, a.atMs);
    else if (a.status === 200) close(a.twin, a.atMs);
  }
  for (const twin of [...open.keys()]) close(twin, last.get(twin)!);
  return worst;
}

/** Answers by status ("0" for none), for the report. */
export function statusCounts(answers: readonly ProbeAnswer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[String(a.status)] = (out[String(a.status)] ?? 0) + 1;
  return out;
}

/** One reading of an instance's memory (RSS, or the V8 heap in use). */
export interface MemorySample {
  instance: string;
  atMs: number;
  kb: number;
}

export interface MemoryTrend {
  instance: string;
  /** How long each averaged part of the run is. */
  windowMs: number;
  /** undefined when no sample fell in that part of the run. */
  firstKb: number | undefined;
  lastKb: number | undefined;
}

const TEN_MINUTES_MS = 10 * 60_000;

/**
 * The part of a run averaged at each end: the first and last ten minutes once the run is 30 minutes
 * or longer (the soak's long form), else a quarter (2.5 min of a 10-min soak: enough samples to
 * smooth garbage-collection swings, far enough apart to show growth).
 */
export function memoryWindowMs(runMs: number): number {
  return runMs >= 3 * TEN_MINUTES_MS ? TEN_MINUTES_MS : runMs / 4;
}

/**
 * Per instance, the mean over the first and over the last window of the run. A restarted instance
 * starts small again; its samples count all the same.
 */
export function memoryTrend(
  samples: readonly MemorySample[],
  run: { startMs: number; endMs: number },
): MemoryTrend[] {
  const windowMs = memoryWindowMs(run.endMs - run.startMs);
  const mean = (xs: number[]): number | undefined =>
    xs.length === 0 ? undefined : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  const instances = [...new Set(samples.map((s) => s.instance))].sort();
  return instances.map((instance) => {
    const own = samples.filter((s) => s.instance === instance);
    return {
      instance,
      windowMs,
      firstKb: mean(own.filter((s) => s.atMs <= run.startMs + windowMs).map((s) => s.kb)),
      lastKb: mean(own.filter((s) => s.atMs >= run.endMs - windowMs).map((s) => s.kb)),
    };
  });
}
