import { deltaOf, isOpenCommand, type TwinState } from './twin';

/** Fleet gauges of one task, kept current by diffing each twin before and after a change. */
export interface TwinCounts {
  twins: number;
  online: number;
  offline: number;
  unknown: number;
  withDelta: number;
  commandsPending: number;
}

export function emptyCounts(): TwinCounts {
  return { twins: 0, online: 0, offline: 0, unknown: 0, withDelta: 0, commandsPending: 0 };
}

function contribution(state: TwinState | null | undefined): TwinCounts {
  const c = emptyCounts();
  if (!state) return c;
  c.twins = 1;
  c[state.connection.status] = 1;
  c.withDelta = Object.keys(deltaOf(state)).length > 0 ? 1 : 0;
  c.commandsPending = state.commands.filter(isOpenCommand).length;
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
