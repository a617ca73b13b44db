import { TwinfoldError } from '../shared/errors';
import type { JsonLimits } from '../shared/safe-json';
import type { InputKind } from '../shared/topics';
import {
  commandDownlink,
  decodeInput,
  downlinkRefusal,
  findCommand,
  foldTwin,
  liveTwin,
  type FoldConfig,
  type FoldResult,
  type JsonObject,
  type StoredTwin,
  type TwinInput,
  type TwinState,
} from '../topology/twin';
import { encodeWithinLimit } from '../topology/twin-codec';

export interface WriteCheckContext {
  /** The processor's limits on an input record, which are also the bridge's on a downlink record. */
  limits: JsonLimits;
  foldConfig: FoldConfig;
  nowMs: number;
}

/**
 * Decides a write on the instance that owns the twin, before anything is produced, exactly as the
 * processor will: the record is decoded with the processor's limits and folded (a dry run) into
 * what the store holds now; the twin it would produce must fit the store's limit, and every
 * downlink it would send (a command's even while the device is offline) must pass the bridge's.
 * Throws what the write would otherwise meet downstream: TWIN_NOT_FOUND, LIFECYCLE_CONFLICT,
 * VERSION_CONFLICT, LIMIT_EXCEEDED, PAYLOAD_TOO_LARGE, VALIDATION_ERROR. Returns the dry run.
 *
 * A write folded in between can still change the verdict; the fold then decides the same way
 * (it ignores a write to an unknown or suspended twin; it fails a command it cannot deliver).
 */
export function checkWrite(
  stored: StoredTwin | undefined,
  kind: InputKind,
  id: string,
  record: JsonObject,
  ctx: WriteCheckContext,
): FoldResult {
  const input = decodeInput(kind, id, Buffer.from(JSON.stringify(record)), ctx.nowMs, ctx.limits);
  const result = foldTwin(stored, input, { nowMs: ctx.nowMs, config: ctx.foldConfig });
  if (result.outcome === 'ignored') throw refusal(liveTwin(stored), input, result.reason);
  if (result.state) encodeWithinLimit(result.state);
  const downlink = [...result.downlink];
  const queued =
    input.kind === 'command' ? findCommand(result.state?.commands ?? [], input.commandId) : undefined;
  if (queued !== undefined) downlink.push(commandDownlink(id, queued, ctx.nowMs));
  for (const message of downlink) {
    const refused = downlinkRefusal(message, ctx.limits);
    if (refused !== undefined) {
      throw new TwinfoldError(refused.code, `the device could never receive this write: ${refused.message}`, {
        details: { ...refused.details, downlink: message.kind },
      });
    }
  }
  return result;
}

/** The API error of a write the fold would ignore. */
function refusal(twin: TwinState | undefined, input: TwinInput, reason: string | undefined): TwinfoldError {
  const id = input.deviceId;
  const lifecycle = twin?.lifecycle;
  switch (reason) {
    case 'unknown-twin':
      return new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} not found`);
    case 'lifecycle-conflict':
      return new TwinfoldError(
        'LIFECYCLE_CONFLICT',
        `cannot ${input.kind === 'registry' ? input.op : input.kind} twin ${id}: it is ${lifecycle}`,
      );
    case 'suspended':
    case 'decommissioned':
      return new TwinfoldError(
        'LIFECYCLE_CONFLICT',
        `twin ${id} is ${reason}: it takes no ${input.kind === 'registry' ? input.op : input.kind}`,
      );
    case 'version-conflict': {
      const version = twin?.version ?? 0;
      const required = input.kind === 'desired' ? input.ifVersion : undefined;
      return new TwinfoldError('VERSION_CONFLICT', `twin ${id} is at version ${version}, not ${required}`, {
        details: { version },
      });
    }
    default:
      return new TwinfoldError('LIFECYCLE_CONFLICT', `twin ${id} would ignore this write: ${reason}`);
  }
}
