import type { IncomingHttpHeaders } from 'node:http';
import type { AuthCheck, AuthRequest } from '../auth/access';
import { principalOf } from '../auth/principal';
import type { Role } from '../auth/roles';

/** Headers as the REST checks read them: by any-case name, repeated ones joined. */
function headerRequest(headers: IncomingHttpHeaders): AuthRequest {
  return {
    method: 'GET',
    headers,
    get: (name) => {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * Runs the REST API's check for read access (role viewer or stronger) on a WebSocket upgrade's
 * headers, or on the token of an auth message as if it came in an Authorization header: one
 * verification for REST and WebSocket. Resolves to the role (undefined with authentication off);
 * throws the check's TwinfoldError (UNAUTHORIZED, FORBIDDEN).
 */
export async function checkReadAccess(
  auth: AuthCheck,
  from: { headers: IncomingHttpHeaders } | { token: string },
): Promise<Role | undefined> {
  const req = headerRequest('token' in from ? { authorization: `Bearer ${from.token}` } : from.headers);
  await auth(req, 'read');
  return principalOf(req)?.role;
}
