import { expireCommands, isOpen } from './commands';
import { markUnknown } from './connection';
import { startDraft } from './draft';
import type { FoldConfig, FoldResult, TwinState } from './model';
import { finishDraft, unchanged } from './result';

/**
 * The timer path, with the wall clock passed in: open commands whose `expiresAt` is at or before
 * `nowMs` become EXPIRED, and an online twin silent for longer than `offlineAfterMs` becomes
 * `unknown`. Times written are the deadlines themselves (not `nowMs`), so the result does not
 * depend on how late the timer fired; only `updatedAt` and event timestamps do.
 * Decommissioned twins are frozen. Never deletes: `state` is a TwinState or undefined.
 */
export function tickTwin(state: TwinState, nowMs: number, config: FoldConfig): FoldResult {
  if (state.lifecycle === 'decommissioned') return unchanged();
  const draft = startDraft(state, nowMs, config);
  expireCommands(draft);
  const silentSince = silenceDeadline(state, config);
  if (silentSince !== null && nowMs >= silentSince) {
    markUnknown(draft, Math.max(state.connection.since ?? 0, silentSince - 1));
  }
  return finishDraft(state, draft);
}

/**
 * The earliest time at which tickTwin would change something, or null when nothing is due
 * (decommissioned, no open command, not online). Ticking earlier than this is a no-op.
 */
export function nextDeadline(state: TwinState, config: FoldConfig): number | null {
  if (state.lifecycle === 'decommissioned') return null;
  const deadlines = state.commands.filter(isOpen).map((c) => c.expiresAt);
  const silence = silenceDeadline(state, config);
  if (silence !== null) deadlines.push(silence);
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

/** First ms at which an online twin has been silent for longer than `offlineAfterMs`. */
function silenceDeadline(state: TwinState, config: FoldConfig): number | null {
  const { status, lastSeen } = state.connection;
  if (status !== 'online' || lastSeen === null) return null;
  return lastSeen + config.offlineAfterMs + 1;
}
