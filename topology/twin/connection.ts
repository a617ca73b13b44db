import { deliverOpenCommands } from './commands';
import { sendDesired } from './desired';
import { type Draft, emit, update } from './draft';
import { computeDelta } from './delta';
import { toIso } from './json';
import type { Connection, ConnectionStatus, TwinState } from './model';

/**
 * Connection tracking. `lastSeen` is the record time of the latest device-origin message (when
 * the platform last heard from the device, which a device clock cannot distort); `since` is
 * when the current status began. `unknown` is only a presumption (silence, or never heard from),
 * so any device message overrides it; `offline` is a statement, overridden only by newer evidence.
 */

/** Every device-origin message except `status`: liveness, first-contact activation, implicit online. */
export function touchDevice(draft: Draft, seenAt: number): void {
  markSeen(draft, seenAt);
  activateIfPending(draft);
  const { status, since } = draft.state.connection;
  if (status === 'online') return;
  if (status === 'unknown' || since === null || seenAt >= since) goOnline(draft, seenAt);
}

/** True when a status message is older than the current status and must be ignored (LWW). */
export function isStaleStatus(state: TwinState, statusTime: number): boolean {
  const { since } = state.connection;
  return since !== null && statusTime < since;
}

/**
 * An explicit status message at `statusTime` (callers check isStaleStatus first). `online` while
 * already online but announced later than `since` is a reconnect we never saw the end of: the
 * device may have lost what was in flight, so it gets the same redelivery as any connect.
 */
export function applyStatus(
  draft: Draft,
  status: 'online' | 'offline',
  statusTime: number,
  seenAt: number,
): void {
  markSeen(draft, seenAt);
  activateIfPending(draft);
  const current = draft.state.connection;
  if (status === 'online') {
    if (current.status !== 'online' || current.since === null || statusTime > current.since) {
      goOnline(draft, statusTime);
    }
  } else if (current.status !== 'offline') {
    setConnection(draft, { ...current, status: 'offline', since: statusTime });
    emit(draft, 'disconnected', { since: toIso(statusTime), previous: current.status });
  }
}

/** Timer path: an online twin silent for too long is presumed `unknown` from `since`. */
export function markUnknown(draft: Draft, since: number): void {
  const current = draft.state.connection;
  setConnection(draft, { ...current, status: 'unknown', since });
  emit(draft, 'connection.unknown', {
    since: toIso(since),
    lastSeen: current.lastSeen === null ? null : toIso(current.lastSeen),
  });
}

/** Goes online: connected event, desired state if the device has work to do, then the queue. */
function goOnline(draft: Draft, since: number): void {
  const previous: ConnectionStatus = draft.state.connection.status;
  setConnection(draft, { ...draft.state.connection, status: 'online', since });
  emit(draft, 'connected', { since: toIso(since), previous });
  if (Object.keys(computeDelta(draft.state.reported, draft.state.desired)).length > 0) sendDesired(draft);
  deliverOpenCommands(draft);
}

function markSeen(draft: Draft, seenAt: number): void {
  const { lastSeen } = draft.state.connection;
  if (lastSeen !== null && lastSeen >= seenAt) return;
  setConnection(draft, { ...draft.state.connection, lastSeen: seenAt });
}

/** A pending twin becomes active when its device first speaks. */
function activateIfPending(draft: Draft): void {
  if (draft.state.lifecycle !== 'pending') return;
  update(draft, { lifecycle: 'active' });
  emit(draft, 'lifecycle.changed', { from: 'pending', to: 'active' });
}

function setConnection(draft: Draft, connection: Connection): void {
  update(draft, { connection });
}
