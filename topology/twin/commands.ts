import { type Draft, emit, update, withOptional } from './draft';
import { toIso } from './json';
import { copyJson } from './merge';
import type { CommandEntry, CommandStatus, JsonObject, JsonValue } from './model';

/**
 * Command queue lifecycle (docs/contract.md, Commands):
 *
 *   PENDING --deliver--> DELIVERED --ack success--> ACKNOWLEDGED
 *   DELIVERED --ack failed, attempts < max--> PENDING (redelivered at once when online)
 *   DELIVERED --ack failed, attempts >= max--> FAILED
 *   PENDING|DELIVERED --expiresAt reached--> EXPIRED
 *   PENDING|DELIVERED --twin decommissioned--> FAILED
 */

export interface NewCommand {
  commandId: string;
  action: string;
  parameters: JsonObject;
  priority: number;
  ttlMs?: number;
  requestId?: string;
}

export function isOpen(command: CommandEntry): boolean {
  return command.status === 'PENDING' || command.status === 'DELIVERED';
}

export function findCommand(commands: readonly CommandEntry[], commandId: string): CommandEntry | undefined {
  return commands.find((c) => c.commandId === commandId);
}

/** Queues a command in priority order and delivers it at once if the device is online. */
export function enqueueCommand(draft: Draft, cmd: NewCommand): void {
  const entry: CommandEntry = {
    commandId: cmd.commandId,
    action: cmd.action,
    parameters: copyJson(cmd.parameters),
    priority: cmd.priority,
    status: 'PENDING',
    createdAt: draft.nowMs,
    expiresAt: draft.nowMs + (cmd.ttlMs ?? draft.config.defaultCommandTtlMs),
    attempts: 0,
  };
  const commands = [...draft.state.commands];
  // After every entry of equal or higher priority: priority DESC, then arrival.
  const at = commands.findIndex((c) => c.priority < cmd.priority);
  commands.splice(at === -1 ? commands.length : at, 0, entry);
  update(draft, { commands });
  emitStatus(draft, entry, null, { requestId: cmd.requestId });
  if (draft.state.connection.status === 'online') deliverCommand(draft, cmd.commandId);
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
    finish(draft, current, 'EXPIRED', { completedAt: current.expiresAt });
    return;
  }
  const delivered: CommandEntry = {
    ...current,
    status: 'DELIVERED',
    attempts: current.attempts + 1,
    deliveredAt: draft.nowMs,
  };
  replace(draft, delivered);
  if (current.status !== 'DELIVERED') emitStatus(draft, delivered, current.status);
  draft.downlink.push({
    kind: 'command',
    deviceId: draft.state.id,
    payload: {
      command_id: delivered.commandId,
      action: delivered.action,
      parameters: delivered.parameters,
      timestamp: toIso(delivered.createdAt),
      timeout: Math.ceil((delivered.expiresAt - draft.nowMs) / 1000),
    },
  });
}

/**
 * Applies a device ack to an open command. `success` acknowledges; anything else is a failure,
 * retried while `attempts < maxCommandRetries`. Returns false (nothing changed) when the
 * command is unknown or already terminal.
 */
export function applyAck(draft: Draft, commandId: string, status: string, result?: JsonValue): boolean {
  const current = findCommand(draft.state.commands, commandId);
  if (current === undefined || !isOpen(current)) return false;
  const withResult: CommandEntry = result === undefined ? current : { ...current, result: copyJson(result) };
  if (status.toLowerCase() === 'success') {
    finish(draft, withResult, 'ACKNOWLEDGED', { completedAt: draft.nowMs });
  } else if (current.attempts < draft.config.maxCommandRetries) {
    const retry: CommandEntry = { ...withResult, status: 'PENDING' };
    replace(draft, retry);
    if (current.status !== 'PENDING') emitStatus(draft, retry, current.status, { ackStatus: status });
    if (draft.state.connection.status === 'online') deliverCommand(draft, commandId);
  } else {
    finish(draft, withResult, 'FAILED', { completedAt: draft.nowMs, error: `ack:${status}` });
  }
  return true;
}

/** Timer path: every open command whose `expiresAt` is at or before `nowMs` becomes EXPIRED. */
export function expireCommands(draft: Draft): void {
  for (const c of draft.state.commands) {
    if (isOpen(c) && c.expiresAt <= draft.nowMs) finish(draft, c, 'EXPIRED', { completedAt: c.expiresAt });
  }
}

/** Decommissioning fails every open command: nothing will ever deliver it. */
export function cancelOpenCommands(draft: Draft, reason: string): void {
  for (const c of draft.state.commands) {
    if (isOpen(c)) finish(draft, c, 'FAILED', { completedAt: draft.nowMs, error: reason });
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
  emit(draft, 'command.status', withOptional(data, { ...extra, result: entry.result, error: entry.error }));
}
