import {
  toIso,
  type CommandEntry,
  type CommandStatus,
  type JsonObject,
  type JsonValue,
} from '../topology/twin';

/**
 * A command as REST shows it. `command_id` and `timestamp` (when it was queued) are the names of
 * the device-side command message; `status` is seed 000's lifecycle word; `ackStatus` and
 * `result` are what the device said in its latest ack; the time of the terminal status is
 * `acknowledgedAt`, `failedAt` or `expiredAt`; `error` says why a command failed.
 */
export interface CommandView {
  command_id: string;
  action: string;
  parameters: JsonObject;
  /** Higher first. */
  priority: number;
  status: CommandStatus;
  timestamp: string;
  expiresAt: string;
  /** Time of the latest status change. */
  updatedAt: string;
  /** Deliveries so far (first delivery, retries, redeliveries on reconnect). */
  attempts: number;
  deliveredAt?: string;
  acknowledgedAt?: string;
  failedAt?: string;
  expiredAt?: string;
  ackStatus?: string;
  result?: JsonValue;
  error?: string;
  /** `rule:<id>` for a command a rule queued. */
  origin?: string;
}

const COMPLETED_AT: Partial<Record<CommandStatus, 'acknowledgedAt' | 'failedAt' | 'expiredAt'>> = {
  acknowledged: 'acknowledgedAt',
  failed: 'failedAt',
  expired: 'expiredAt',
};

/** The REST view of a stored command. */
export function commandView(c: CommandEntry): CommandView {
  const view: CommandView = {
    command_id: c.commandId,
    action: c.action,
    parameters: c.parameters,
    priority: c.priority,
    status: c.status,
    timestamp: toIso(c.createdAt),
    expiresAt: toIso(c.expiresAt),
    updatedAt: toIso(c.completedAt ?? c.deliveredAt ?? c.createdAt),
    attempts: c.attempts,
  };
  if (c.deliveredAt !== undefined) view.deliveredAt = toIso(c.deliveredAt);
  const completedField = COMPLETED_AT[c.status];
  if (completedField !== undefined && c.completedAt !== undefined)
    view[completedField] = toIso(c.completedAt);
  if (c.ackStatus !== undefined) view.ackStatus = c.ackStatus;
  if (c.result !== undefined) view.result = c.result;
  if (c.error !== undefined) view.error = c.error;
  if (c.origin !== undefined) view.origin = c.origin;
  return view;
}
