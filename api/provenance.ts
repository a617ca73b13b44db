import type { Request } from 'express';
import { TwinfoldError } from '../shared/errors';
import {
  ACTOR_HEADER,
  decodeProvenance,
  MAX_ACTOR_LENGTH,
  MAX_REASON_LENGTH,
  REASON_HEADER,
} from '../shared/inputs';
import { principalOf } from './auth';
import { CHANGE_REASON_HEADER, headerBytes } from './routing/request-context';

/** The actor of a write made without authentication (AUTH_MODE=none). */
export const ANONYMOUS_ACTOR = 'anonymous';

// Control characters (C0, DEL, C1): no place in a header.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Who makes a write (the verified token's subject, `anonymous` without authentication) and the
 * reason it gives in `X-Change-Reason` (UTF-8, 1..MAX_REASON_LENGTH characters, no control
 * characters: else VALIDATION_ERROR on that header). A subject that would not pass as a
 * `twinfold.actor` header is cut to size and its control characters replaced, so a write is never
 * dead-lettered for its token.
 */
export function writeProvenance(req: Request): { actor: string; reason?: string } {
  const subject = principalOf(req)?.subject ?? ANONYMOUS_ACTOR;
  const actor = subject.replace(CONTROL, '?').slice(0, MAX_ACTOR_LENGTH) || ANONYMOUS_ACTOR;
  const raw = req.get(CHANGE_REASON_HEADER);
  if (raw === undefined) return { actor };
  try {
    const { reason } = decodeProvenance({ [REASON_HEADER]: headerBytes(raw) });
    return reason === undefined ? { actor } : { actor, reason };
  } catch {
    throw new TwinfoldError(
      'VALIDATION_ERROR',
      `X-Change-Reason must be 1 to ${MAX_REASON_LENGTH} characters of UTF-8 without control characters`,
      { details: { field: 'X-Change-Reason' } },
    );
  }
}

/** The Kafka headers of a record produced for a write with this provenance. */
export function provenanceHeaders(p: { actor?: string; reason?: string }): Record<string, string> {
  return {
    ...(p.actor === undefined ? {} : { [ACTOR_HEADER]: p.actor }),
    ...(p.reason === undefined ? {} : { [REASON_HEADER]: p.reason }),
  };
}
