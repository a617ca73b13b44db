import { foldedScore, healthStatus } from './traits';
import { deltaOf, isOpenCommand, type TwinState } from './twin';

/** Fleet gauges of one task, kept current by diffing each twin before and after a change. */
export interface TwinCounts {
  twins: number;
  online: number;
  offline: number;
  unknown: number;
  withDelta: number;
  commandsPending: number;
  /** By the traits' health as folded (freshness aside); `noTraits` before a numeric reading. */
  healthy: number;
  degraded: number;
  failed: number;
  noTraits: number;
}

export function emptyCounts(): TwinCounts {
  return {
    twins: 0,
    online: 0,
    offline: 0,
    unknown: 0,
    withDelta: 0,
    commandsPending: 0,
    healthy: 0,
    degraded: 0,
    failed: 0,
    noTraits: 0,
  };
}

const HEALTH_KEYS = { HEALTHY: 'healthy', DEGRADED: 'degraded', FAILED: 'failed' } as const;

function contribution(state: TwinState | null | undefined): TwinCounts {
  const c = emptyCounts();
  if (!state) return c;
  c.twins = 1;
  c[state.connection.status] = 1;
  c.withDelta = Object.keys(deltaOf(state)).length > 0 ? 1 : 0;
  c.commandsPending = state.commands.filter(isOpenCommand).length;
  c[state.traits === undefined ? 'noTraits' : HEALTH_KEYS[healthStatus(foldedScore(state.traits.fields))]] =
    1;
  return c;
}

export function accountChange(
  counts: TwinCounts,
  before: TwinState | null | undefined,
  after: TwinState | null | undefined,
): void {
  const minus = contribution(before);
  const plus = contribution(after);
  for (const k of Object.keys(counts) as (keyof TwinCounts)[]) counts[k] += plus[k] - minus[k];
}
