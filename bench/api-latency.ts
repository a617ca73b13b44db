import { Pacer } from '../scripts/simulator/pacer';
import type { BenchContext } from './context';
import type { LiveStack } from './live-stack';
import type { HttpClient } from './support/http';
import { sleep } from './support/ports';
import { summarize, type LatencySummary } from './stats';

/** What a GET load produced: the rate achieved, latencies, failed requests and shed ones. */
export interface GetLatency {
  rate: number;
  latency: LatencySummary;
  /** Answers other than 200, and connection errors. */
  errors: number;
  /** Requests not sent because `MAX_OUTSTANDING` were still open (open loop only). */
  shed: number;
}

const MAX_OUTSTANDING = 512;

function pathOf(ids: readonly string[], i: number): string {
  return `/api/v1/twins/${encodeURIComponent(ids[(i * 7919) % ids.length]!)}`;
}

/**
 * Open loop: GET /twins/{id} at a fixed `rate` for `seconds`, each latency measured from the
 * moment the request was due (so a stalled server shows up as latency, not as a lower rate).
 * Requests due while `MAX_OUTSTANDING` are still open are not sent, and counted as shed.
 */
export async function fixedRateGets(
  http: HttpClient,
  ids: readonly string[],
  rate: number,
  seconds: number,
): Promise<GetLatency> {
  const samples: number[] = [];
  let errors = 0;
  let shed = 0;
  let open = 0;
  let i = 0;
  const began = performance.now();
  const pacer = new Pacer((n) => {
    const due = performance.now();
    for (let k = 0; k < n; k++) {
      if (open >= MAX_OUTSTANDING) {
        shed += 1;
        continue;
      }
      open += 1;
      http
        .get(pathOf(ids, i++))
        .then((a) => (a.status === 200 ? samples.push(performance.now() - due) : (errors += 1)))
        .catch(() => (errors += 1))
        .finally(() => (open -= 1));
    }
  });
  pacer.start(rate);
  await sleep(seconds * 1000);
  pacer.stop();
  while (open > 0) await sleep(5);
  const achieved = samples.length / ((performance.now() - began) / 1000);
  return { rate: achieved, latency: summarize(samples), errors, shed };
}

/** Closed loop: `concurrency` clients each sending the next GET as soon as the last answers. */
export async function maxRateGets(
  http: HttpClient,
  ids: readonly string[],
  concurrency: number,
  seconds: number,
): Promise<GetLatency> {
  const samples: number[] = [];
  let errors = 0;
  let i = 0;
  const began = performance.now();
  const end = began + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const a = await http.get(pathOf(ids, i++)).catch(() => undefined);
        if (a?.status === 200) samples.push(performance.now() - t);
        else errors += 1;
      }
    }),
  );
  const achieved = samples.length / ((performance.now() - began) / 1000);
  return { rate: achieved, latency: summarize(samples), errors, shed: 0 };
}

/**
 * GET latency of twins owned by another instance (the request is forwarded to the owner).
 * Placeholder for the cross-instance routing work: it starts a second instance on `stack`, waits
 * until each owns partitions, and measures `fixedRateGets` against ids the first one does not
 * own. Until then it returns undefined and the table shows n/a.
 */
export async function forwardedGets(
  _ctx: BenchContext,
  _stack: LiveStack,
  _ids: readonly string[],
): Promise<GetLatency | undefined> {
  return undefined;
}
