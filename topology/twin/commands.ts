import { downlinkRefusal } from './downlink';
import { type Draft, emit, update, withOptional } from './draft';
import type { CommandInput } from '../../shared/inputs';
import { toIso } from './json';
import { copyJson } from './merge';
import type { CommandEntry, CommandStatus, DownlinkMessage, JsonValue } from './model';

/**
 * Command queue lifecycle (docs/contract.md, Commands):
 *
 *   pending --deliver--> delivered --ack success--> acknowledged
 *   delivered --ack failed, attempts < max--> pending (redelivered at once when online)
 *   delivered --ack failed, attempts >= max--> failed
 *   pending|delivered --expiresAt reached--> expired
 *   pending|delivered --twin decommissioned--> failed
 *   pending --its downlink breaks the bridge's limits--> failed (never delivered)
 */

export function isOpen(command: CommandEntry): boolean {
  return command.status === 'pending' || command.status === 'delivered';
}

export function findCommand(commands: readonly CommandEntry[], commandId: string): CommandEntry | undefined {
  return commands.find((c) => c.commandId === commandId);
}

/** Queues a command in priority order and delivers it at once if the device is online. */
export function enqueueCommand(draft: Draft, cmd: CommandInput): void {
  const entry: CommandEntry = {
    commandId: cmd.commandId,
    action: cmd.action,
    parameters: copyJson(cmd.parameters),
    priority: cmd.priority,
    status: 'pending',
    createdAt: draft.nowMs,
    expiresAt: draft.nowMs + (cmd.ttlMs ?? draft.config.defaultCommandTtlMs),
    attempts: 0,
    ...(cmd.origin === undefined ? {} : { origin: cmd.origin }),
  };
  const commands = [...draft.state.commands];
  // After every entry of equal or higher priority: priority DESC, then arrival.
  const at = commands.findIndex((c) => c.priority < cmd.priority);
  commands.splice(at === -1 ? commands.length : at, 0, entry);
  update(draft, { commands });
  emitStatus(draft, entry, null, { requestId: cmd.requestId, origin: cmd.origin });
  // A command the bridge could never publish fails now, with the reason, online or not.
  if (failIfUndeliverable(draft, entry)) return;
  if (draft.state.connection.status === 'online') deliverCommand(draft, cmd.commandId);
}

/** The device.downlink message that delivers `entry` at `nowMs`. */
export function commandDownlink(deviceId: string, entry: CommandEntry, nowMs: number): DownlinkMessage {
  return {
    kind: 'command',
    deviceId,
    payload: {
      command_id: entry.commandId,
      action: entry.action,
      parameters: entry.parameters,
      timestamp: toIso(entry.createdAt),
      timeout: Math.ceil((entry.expiresAt - nowMs) / 1000),
    },
  };
}

/** Fails an open command whose downlink the bridge would dead-letter; true when it did. */
function failIfUndeliverable(draft: Draft, entry: CommandEntry): boolean {
  const refusal = downlinkRefusal(
    commandDownlink(draft.state.id, entry, draft.nowMs),
    draft.config.downlinkLimits,
  );
  if (refusal === undefined) return false;
  const error = `downlink:${refusal.code}: ${refusal.message}`;
  finish(draft, entry, 'failed', { completedAt: draft.nowMs, error });
  return true;
}

/** On (re)connect: expire what is overdue, then (re)deliver every open command in queue order. */
export function deliverOpenCommands(draft: Draft): void {
  const open = draft.state.commands.filter(isOpen).map((c) => c.commandId);
  for (const id of open) deliverCommand(draft, id);
}

/** Sends one open command (or expires it if its time is up). */
function deliverCommand(draft: Draft, commandId: string): void {
  const current = findCommand(draft.state.commands, commandId);
  if (current === undefined || !isOpen(current)) return;
  if (current.expiresAt <= draft.nowMs) {
    finish(draft, current, 'expired', { completedAt: current.expiresAt });
    return;
  }
  if (failIfUndeliverable(draft, current)) return;
  const delivered: CommandEntry = {
    ...current,
    status: 'delivered',
    attempts: current.attempts + 1,
    deliveredAt: draft.nowMs,
  };
  replace(draft, delivered);
  if (current.status !== 'delivered') emitStatus(draft, delivered, current.status);
  draft.downlink.push(commandDownlink(draft.state.id, delivered, draft.nowMs));
}

/**
 * Applies a device ack to an open command. `success` acknowledges; anything else is a failure,
 * retried while `attempts < maxCommandRetries`. Returns false (nothing changed) when the
 * command is unknown or already terminal.
 */
export function applyAck(draft: Draft, commandId: string, status: string, result?: JsonValue): boolean {
  const current = findCommand(draft.state.commands, commandId);
  if (current === undefined || !isOpen(current)) return false;
  const acked: CommandEntry = {
    ...current,
    ackStatus: status,
    ...(result === undefined ? {} : { result: copyJson(result) }),
  };
  if (status.toLowerCase() === 'success') {
    finish(draft, acked, 'acknowledged', { completedAt: draft.nowMs });
  } else if (current.attempts < draft.config.maxCommandRetries) {
    const retry: CommandEntry = { ...acked, status: 'pending' };
    replace(draft, retry);
    if (current.status !== 'pending') emitStatus(draft, retry, current.status);
    if (draft.state.connection.status === 'online') deliverCommand(draft, commandId);
  } else {
    finish(draft, acked, 'failed', { completedAt: draft.nowMs, error: `ack:${status}` });
  }
  return true;
}

/** Timer path: every open command whose `expiresAt` is at or before `nowMs` becomes expired. */
export function expireCommands(draft: Draft): void {
  for (const c of draft.state.commands) {
    if (isOpen(c) && c.expiresAt <= draft.nowMs) finish(draft, c, 'expired', { completedAt: c.expiresAt });
  }
}

/** Decommissioning fails every open command: nothing will ever deliver it. */
export function cancelOpenCommands(draft: Draft, reason: string): void {
  for (const c of draft.state.commands) {
    if (isOpen(c)) finish(draft, c, 'failed', { completedAt: draft.nowMs, error: reason });
  }
}

/** Moves a command to a terminal status, then trims the history. */
function finish(
  draft: Draft,
  command: CommandEntry,
  status: CommandStatus,
  extra: Pick<CommandEntry, 'completedAt' | 'error'>,
): void {
  const done: CommandEntry = { ...command, status, ...extra };
  replace(draft, done);
  emitStatus(draft, done, command.status);
  update(draft, { commands: trimHistory(draft.state.commands, draft.config.maxCommandHistory) });
}

/** Keeps at most `max` terminal commands, dropping the oldest completed first. */
export function trimHistory(commands: CommandEntry[], max: number): CommandEntry[] {
  const terminal = commands.map((c, i) => ({ c, i })).filter(({ c }) => !isOpen(c));
  if (terminal.length <= max) return commands;
  terminal.sort((a, b) => (a.c.completedAt ?? 0) - (b.c.completedAt ?? 0) || a.i - b.i);
  const drop = new Set(terminal.slice(0, terminal.length - max).map(({ c }) => c));
  return commands.filter((c) => !drop.has(c));
}

function replace(draft: Draft, entry: CommandEntry): void {
  const commands = draft.state.commands.map((c) => (c.commandId === entry.commandId ? entry : c));
  update(draft, { commands });
}

function emitStatus(
  draft: Draft,
  entry: CommandEntry,
  previous: CommandStatus | null,
  extra: Record<string, string | undefined> = {},
): void {
  const data = {
    commandId: entry.commandId,
    action: entry.action,
    status: entry.status,
    previous,
    attempts: entry.attempts,
  };
  const { ackStatus, result, error } = entry;
  emit(draft, 'command.status', withOptional(data, { ...extra, ackStatus, result, error }));
}
