import { TwinfoldError } from '../../shared/errors';
import type { TwinPage } from '../backend';
import {
  FleetAccumulator,
  type FleetAggregatePage,
  type FleetAggregateQuery,
  type FleetGroup,
} from '../fleet-aggregate';
import { encodeCursor } from '../list-cursor';
import type { TwinDocument } from '../twin-document';

/**
 * Complete or nothing: unless the instances' answers together cover every partition
 * 0..partitionCount-1 (and, with `exactlyOnce`, none twice), throws NOT_READY (an instance was
 * rebalancing) rather than let a short or double-counted answer out. Pure.
 */
export function requireCoverage(
  partitionsOfAnswers: readonly (readonly number[] | undefined)[],
  partitionCount: number,
  exactlyOnce = false,
): void {
  const covered = partitionsOfAnswers.flatMap((p) => p ?? []);
  const set = new Set(covered);
  const missing: number[] = [];
  for (let p = 0; p < partitionCount; p++) if (!set.has(p)) missing.push(p);
  const twice = exactlyOnce && set.size !== covered.length;
  if (missing.length > 0 || partitionCount <= 0 || twice) {
    const what = twice
      ? 'some partitions were answered for by two instances'
      : `partitions ${missing.join(', ') || '(count unknown)'} were not covered by any instance`;
    throw new TwinfoldError('NOT_READY', `${what} (rebalancing); retry shortly`, {
      retriable: true,
      details: { missing, retryAfterSeconds: 1 },
    });
  }
}

/**
 * Merges the local pages of every instance into one page of the whole fleet. Each instance gave
 * its first `limit` matches after the same cursor, so the global first `limit` are among them;
 * the next cursor is the last id taken, so following cursors returns every twin exactly once.
 *
 * Complete or nothing (requireCoverage). A twin on two pages (a partition moving while listed)
 * appears once, at its higher version. Pure.
 */
export function mergePages(pages: readonly TwinPage[], limit: number, partitionCount: number): TwinPage {
  requireCoverage(
    pages.map((p) => p.partitions),
    partitionCount,
  );
  const byId = new Map<string, TwinDocument>();
  for (const page of pages) {
    for (const twin of page.twins) {
      const seen = byId.get(twin.id);
      if (!seen || seen.version < twin.version) byId.set(twin.id, twin);
    }
  }
  const merged = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const twins = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((p) => p.nextCursor !== null);
  const last = twins[twins.length - 1];
  return { twins, nextCursor: more && last ? encodeCursor(last.id) : null };
}

/**
 * Merges every instance's fleet aggregate. Groups carry no ids to de-duplicate by, so each
 * partition must be covered exactly once. Pure.
 */
export function mergeFleetPages(
  pages: readonly FleetAggregatePage[],
  query: FleetAggregateQuery,
  partitionCount: number,
): FleetGroup[] {
  requireCoverage(
    pages.map((p) => p.partitions),
    partitionCount,
    true,
  );
  const merged = new FleetAccumulator(query);
  for (const page of pages) merged.merge(page.groups);
  return merged.page();
}
