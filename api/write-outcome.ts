import { TwinfoldError } from '../shared/errors';
import type { CommittedChange } from '../topology/commit-notice';

/**
 * The version a desired patch produced, from the fold's verdict on it; throws the API error the
 * verdict means. `change` undefined: the verdict was not seen in time (TIMEOUT; the write is in
 * Kafka and may still apply, so the caller must read the twin rather than blindly retry).
 */
export function desiredPatchVersion(
  id: string,
  requestId: string,
  ifVersion: number | undefined,
  change: CommittedChange | undefined,
  waitedMs: number,
): number {
  if (change === undefined) {
    throw new TwinfoldError(
      'TIMEOUT',
      `the desired patch for twin ${id} was written (requestId ${requestId}) but its outcome was not seen within ${waitedMs} ms; read the twin to learn whether it applied`,
      { details: { requestId } },
    );
  }
  if (change.outcome !== 'ignored') return change.version;
  // Refused by a limit after all (it raced with another write that grew the twin): say which.
  if (change.error !== undefined) {
    throw new TwinfoldError(
      change.error.code,
      `the desired patch for twin ${id} was refused: ${change.error.message}`,
    );
  }
  // The owner checked the patch before producing it (write-check.ts); these are the writes that
  // raced with another one: the twin was deleted, suspended or changed meanwhile.
  if (change.reason === 'unknown-twin') throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} not found`);
  if (change.reason === 'version-conflict') {
    throw new TwinfoldError(
      'VERSION_CONFLICT',
      `twin ${id} is at version ${change.version}, not ${ifVersion ?? 'the one required'}`,
      { details: { version: change.version } },
    );
  }
  throw new TwinfoldError(
    'LIFECYCLE_CONFLICT',
    `twin ${id} did not apply the patch: ${change.reason ?? 'ignored'}`,
  );
}
