import { TwinfoldError } from '../../shared/errors';
import type { TwinPage } from '../backend';
import { encodeCursor } from '../list-cursor';
import type { TwinDocument } from '../twin-document';

/**
 * Throws NOT_READY unless the local answers together cover every partition 0..partitionCount-1
 * (an instance was rebalancing): a fleet answer is complete or nothing.
 */
export function assertCovered(
  answers: readonly { partitions?: readonly number[] }[],
  partitionCount: number,
): void {
  const covered = new Set(answers.flatMap((p) => p.partitions ?? []));
  const missing: number[] = [];
  for (let p = 0; p < partitionCount; p++) if (!covered.has(p)) missing.push(p);
  if (missing.length > 0 || partitionCount <= 0) {
    throw new TwinfoldError(
      'NOT_READY',
      `partitions ${missing.join(', ') || '(count unknown)'} were not listed by any instance (rebalancing); retry shortly`,
      { retriable: true, details: { missing, retryAfterSeconds: 1 } },
    );
  }
}

/**
 * Merges the local pages of every instance into one page of the whole fleet. Each instance gave
 * its first `limit` matches after the same cursor, so the global first `limit` are among them;
 * the next cursor is the last id taken, so following cursors returns every twin exactly once.
 *
 * Complete or nothing: unless the pages together cover every partition 0..partitionCount-1, it
 * throws NOT_READY (an instance was rebalancing) rather than return a short list. A twin on two
 * pages (a partition moving while listed) appears once, at its higher version. Pure.
 */
export function mergePages(pages: readonly TwinPage[], limit: number, partitionCount: number): TwinPage {
  assertCovered(pages, partitionCount);
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
