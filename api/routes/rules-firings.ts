import { findCommand, toIso, type TwinState } from '../../topology/twin';
import type { CommandStatus } from '../../topology/twin';
import type { JsonValue } from '../json';

/** One firing as `GET /rules/{id}/firings` shows it, with where its command stands now. */
export interface FiringView {
  twinId: string;
  ruleId: string;
  at: string;
  commandId: string;
  /** The twin version the firing produced. */
  version: number;
  /** The command now; null once the twin's command history no longer holds it. */
  command: { status: CommandStatus; ackStatus?: string; result?: JsonValue; updatedAt: string } | null;
}

export interface FiringList {
  ruleId: string;
  count: number;
  /** Newest first. */
  firings: FiringView[];
  /** Set only on one instance's local answer, which another instance merges. */
  partitions?: number[];
}

/** The firings of `ruleId` a twin remembers, each with its command's current status. */
export function firingsOf(twin: TwinState, ruleId: string): FiringView[] {
  return (twin.rules?.firings ?? [])
    .filter((f) => f.ruleId === ruleId)
    .map((f) => {
      const c = findCommand(twin.commands, f.commandId);
      const command: FiringView['command'] =
        c === undefined
          ? null
          : {
              status: c.status,
              ...(c.ackStatus === undefined ? {} : { ackStatus: c.ackStatus }),
              ...(c.result === undefined ? {} : { result: c.result }),
              updatedAt: toIso(c.completedAt ?? c.deliveredAt ?? c.createdAt),
            };
      return {
        twinId: twin.id,
        ruleId,
        at: toIso(f.at),
        commandId: f.commandId,
        version: f.version,
        command,
      };
    });
}

/** Newest first (then by twin), at most `limit`. */
export function newestFirings(firings: FiringView[], limit: number): FiringView[] {
  return firings
    .sort((a, b) => (a.at === b.at ? (a.twinId < b.twinId ? -1 : 1) : a.at < b.at ? 1 : -1))
    .slice(0, limit);
}

/** The instances' local lists as one (their partitions already checked). */
export function mergeFirings(ruleId: string, lists: readonly FiringList[], limit: number): FiringList {
  const firings = newestFirings(
    lists.flatMap((l) => l.firings),
    limit,
  );
  return { ruleId, count: firings.length, firings };
}
