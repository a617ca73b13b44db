import type { ErrorCode, TwinfoldError } from '../shared/errors';
import type { FoldResult, StoredTwin, TwinEvent, TwinInput } from './twin';

/**
 * What folding one record did, told only after its transaction committed and its store batch was
 * written: whoever reads the store on hearing it sees the change.
 */
export interface CommittedChange {
  deviceId: string;
  /** The request id an application write carried (desired, command, registry), if any. */
  requestId?: string;
  outcome: FoldResult['outcome'];
  /** Why the record was ignored (e.g. `version-conflict`), when it was. */
  reason?: string;
  /**
   * The twin's version after the fold: the new version when changed, the current one when
   * unchanged or ignored (a grave's, or 0, for a twin that does not exist), the tombstone's when
   * deleted.
   */
  version: number;
  events: readonly TwinEvent[];
  /** Set when the record was dead-lettered instead of folded (outcome 'ignored'): why. */
  error?: { code: ErrorCode; message: string };
}

/** One commit of one partition task: its changes in fold order. */
export interface CommitNotice {
  partition: number;
  changes: readonly CommittedChange[];
}

function requestIdOf(input: TwinInput | undefined): string | undefined {
  return input !== undefined && 'requestId' in input ? input.requestId : undefined;
}

/**
 * The change worth telling about, or undefined when the fold did nothing anyone waits for (no new
 * state, no event, no request id). `input` is undefined for timer folds.
 */
export function committedChange(
  deviceId: string,
  input: TwinInput | undefined,
  before: StoredTwin | undefined,
  result: FoldResult,
): CommittedChange | undefined {
  const requestId = requestIdOf(input);
  if (result.state === undefined && result.events.length === 0 && requestId === undefined) return undefined;
  const current = before?.version ?? 0;
  const version =
    result.state === undefined ? current : result.state === null ? current + 1 : result.state.version;
  return {
    deviceId,
    ...(requestId === undefined ? {} : { requestId }),
    outcome: result.outcome,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
    version,
    events: result.events,
  };
}

/**
 * The news of an application write that was dead-lettered after it was decoded (e.g. the twin would
 * outgrow its limit), so whoever waits for its request id hears why instead of timing out; undefined
 * when nobody can be waiting (no request id).
 */
export function deadLetteredChange(
  deviceId: string,
  input: TwinInput | undefined,
  before: StoredTwin | undefined,
  error: TwinfoldError,
): CommittedChange | undefined {
  const requestId = requestIdOf(input);
  if (requestId === undefined) return undefined;
  const { code, message } = error;
  return {
    deviceId,
    requestId,
    outcome: 'ignored',
    version: before?.version ?? 0,
    events: [],
    error: { code, message },
  };
}
