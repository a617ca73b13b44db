import { TwinfoldError } from '../../shared/errors';

/**
 * RFC 6750 §3 errors. The `WWW-Authenticate` challenge travels in `details.challenge`; the error
 * middleware sets the header, so every 401/403 carries one however it was raised.
 */
const REALM = 'twinfold';

/** error_description is a quoted-string: printable ASCII without quotes or backslashes. */
function quoted(text: string): string {
  return [...text.slice(0, 200)]
    .map((c) => (c >= ' ' && c <= '~' && c !== '"' && c !== '\\' ? c : ' '))
    .join('');
}

function challenge(error?: string, description?: string): string {
  const parts = [`realm="${REALM}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${quoted(description)}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** The challenge of a 401 raised without one (e.g. by a custom AuthCheck). */
export const DEFAULT_CHALLENGE = challenge();

/** 401 for a request with no credentials: the challenge names no error (RFC 6750 §3.1). */
export function missingToken(): TwinfoldError {
  return new TwinfoldError('UNAUTHORIZED', 'a bearer token is required (Authorization: Bearer <token>)', {
    details: { challenge: challenge() },
  });
}

/** 401 for a malformed Authorization header. */
export function invalidRequest(message: string): TwinfoldError {
  return new TwinfoldError('UNAUTHORIZED', message, {
    details: { challenge: challenge('invalid_request', message) },
  });
}

/** 401 for a token that is unknown, badly signed, expired, not yet valid or for someone else. */
export function invalidToken(message: string): TwinfoldError {
  return new TwinfoldError('UNAUTHORIZED', message, {
    details: { challenge: challenge('invalid_token', message) },
  });
}

/** 403 for a valid token whose role is too weak. */
export function insufficientRole(message: string): TwinfoldError {
  return new TwinfoldError('FORBIDDEN', message, {
    details: { challenge: challenge('insufficient_scope', message) },
  });
}

/** The header value for an UNAUTHORIZED or FORBIDDEN error; undefined for other errors. */
export function challengeOf(err: TwinfoldError): string | undefined {
  if (err.code !== 'UNAUTHORIZED' && err.code !== 'FORBIDDEN') return undefined;
  const given = err.details?.challenge;
  if (typeof given === 'string') return given;
  return err.code === 'UNAUTHORIZED' ? DEFAULT_CHALLENGE : challenge('insufficient_scope');
}
