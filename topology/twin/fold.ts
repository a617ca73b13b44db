import { enqueueCommand, applyAck, findCommand } from './commands';
import { applyBehaviour } from './behaviour';
import { applyStatus, isStaleStatus, touchDevice } from './connection';
import { applyDesired } from './desired';
import { type Draft, emit, makeEvent, startDraft, withOptional } from './draft';
import { type DesiredInput, isDeviceInput, type TwinInput } from '../../shared/inputs';
import { applyRegistry, isLifecycleConflict, patchAttributes } from './lifecycle';
import {
  type FoldContext,
  type FoldResult,
  isGrave,
  liveTwin,
  type StoredTwin,
  type TwinState,
  UNKNOWN_TWIN_TYPE,
} from './model';
import { recordDeviceError } from './device-error';
import { applyState, applyTelemetry } from './reported';
import { evaluateRules } from '../rules/apply';
import { deleted, finishDraft, ignored } from './result';

/**
 * Folds one input into a twin. Pure and deterministic: time comes only from `ctx.nowMs` (the
 * record timestamp) and payload timestamps; the given state is never mutated.
 *
 * Outcomes: 'changed' (new state, version + 1), 'unchanged' (accepted, nothing differs),
 * 'ignored' (not applied at all, `reason` says why; the state, including liveness, is untouched;
 * with behaviour on, a device message the twin ignores still folds into its behaviour: 'changed'),
 * 'deleted' (state null: publish a tombstone; store `grave`).
 * `stored` is what the store holds: a twin, the grave of a deleted one (a twin created again
 * continues its version), or nothing.
 * Throws RangeError when `stored` belongs to another device (a caller bug).
 */
export function foldTwin(
  stored: StoredTwin | null | undefined,
  input: TwinInput,
  ctx: FoldContext,
): FoldResult {
  if (stored !== null && stored !== undefined && stored.id !== input.deviceId) {
    throw new RangeError(`input for ${input.deviceId} folded into twin ${stored.id}`);
  }
  const grave = stored !== null && stored !== undefined && isGrave(stored) ? stored : undefined;
  const current = liveTwin(stored);
  const gated = gate(current, input, ctx);
  if (gated !== undefined) return gated;
  const base = current ?? newTwin(input, ctx.nowMs, grave?.version ?? 0);
  const draft = startDraft(base, ctx.nowMs, ctx.config);
  if (current === undefined) {
    const requestId = 'requestId' in input ? input.requestId : undefined;
    const { lifecycle, type } = draft.state;
    emit(draft, 'twin.created', withOptional({ lifecycle, type, origin: input.kind }, { requestId }));
  }
  const reason = apply(draft, input);
  // An input the twin ignores (a stale status, say) is still traffic: only its behaviour changes.
  if (reason !== undefined && draft.state.behaviour === base.behaviour) return ignored(reason);
  // Decisions after the readings (and their traits) are in: topology/rules/.
  if (input.kind === 'telemetry' || input.kind === 'state') evaluateRules(draft);
  return finishDraft(current, draft);
}

/**
 * What is decided before any change: unknown twins (only a device message or a registry create
 * makes one; desired patches and commands never invent a twin), lifecycle, deletion, version
 * conflicts.
 */
function gate(state: TwinState | undefined, input: TwinInput, ctx: FoldContext): FoldResult | undefined {
  // (An ack for an unknown twin needs no case: its command cannot be found, so it is ignored.)
  if (state === undefined) {
    if (isDeviceInput(input) || (input.kind === 'registry' && input.op === 'create')) return undefined;
    return ignored('unknown-twin');
  }
  if (input.kind === 'registry' && input.op === 'delete') {
    return deleted(state, ctx.nowMs, withOptional({}, { requestId: input.requestId }));
  }
  if (state.lifecycle === 'decommissioned') return ignored('decommissioned');
  if (state.lifecycle === 'suspended' && SUSPENDED_IGNORES.has(input.kind)) return ignored('suspended');
  if (input.kind === 'registry' && isLifecycleConflict(state.lifecycle, input.op)) {
    return ignored('lifecycle-conflict');
  }
  if (input.kind === 'desired') return checkIfVersion(state, input, ctx.nowMs);
  return undefined;
}

/** A suspended twin keeps its data and its connection but takes no readings and no new work. */
const SUSPENDED_IGNORES: ReadonlySet<TwinInput['kind']> = new Set([
  'telemetry',
  'state',
  'desired',
  'command',
]);

/** `ifVersion` must equal the twin's version. */
function checkIfVersion(state: TwinState, input: DesiredInput, nowMs: number): FoldResult | undefined {
  const actual = state.version;
  if (input.ifVersion === undefined || input.ifVersion === actual) return undefined;
  const data = withOptional(
    { code: 'VERSION_CONFLICT', expectedVersion: input.ifVersion, actualVersion: actual },
    { requestId: input.requestId },
  );
  const event = makeEvent(input.deviceId, 'desired.rejected', actual, nowMs, data);
  return { ...ignored('version-conflict'), events: [event] };
}

/**
 * A new twin: device messages auto-discover it as active; a registry create makes it pending until
 * its device first speaks. `version` is the last version under this id (a grave's), 0 for none.
 */
function newTwin(input: TwinInput, nowMs: number, version: number): TwinState {
  const registry = input.kind === 'registry' ? input : undefined;
  return {
    id: input.deviceId,
    type: registry?.type ?? UNKNOWN_TWIN_TYPE,
    lifecycle: isDeviceInput(input) ? 'active' : 'pending',
    connection: { status: 'unknown', since: null, lastSeen: null },
    reported: {},
    desired: {},
    metadata: { reported: {}, desired: {} },
    attributes: registry?.attributes === undefined ? {} : patchAttributes({}, registry.attributes),
    version,
    stateVersion: null,
    commands: [],
    lastError: null,
    createdAt: nowMs,
    updatedAt: nowMs,
  };
}

/**
 * Applies the input to the draft; returns why the twin ignores it (checked before any change),
 * if it does. A device message counts in the network behaviour either way: which messages reach
 * the behaviour must not depend on the order the processor folds a device's topics in.
 */
function apply(draft: Draft, input: TwinInput): string | undefined {
  const reason = applyOwnPart(draft, input);
  // Liveness last: an ack must settle its command before a reconnect redelivers the queue.
  if (reason === undefined && isDeviceInput(input) && input.kind !== 'status')
    touchDevice(draft, draft.nowMs);
  if (isDeviceInput(input)) applyBehaviour(draft, input);
  return reason;
}

function applyOwnPart(draft: Draft, input: TwinInput): string | undefined {
  switch (input.kind) {
    case 'telemetry':
      applyTelemetry(draft, input);
      return undefined;
    case 'state':
      return applyState(draft, input) ? undefined : 'stale-state-version';
    case 'status':
      if (isStaleStatus(draft.state, input.timestampMs)) return 'stale-status';
      applyStatus(draft, input.status, input.timestampMs, draft.nowMs);
      return undefined;
    case 'ack':
      return applyAck(draft, input.commandId, input.status, input.result) ? undefined : 'unknown-command-ack';
    case 'error':
      recordDeviceError(draft, input);
      return undefined;
    case 'desired':
      applyDesired(draft, input.patch, input.requestId);
      return undefined;
    case 'command':
      if (findCommand(draft.state.commands, input.commandId) !== undefined) return 'duplicate-command';
      enqueueCommand(draft, input);
      return undefined;
    case 'registry':
      applyRegistry(draft, input);
      return undefined;
  }
}
