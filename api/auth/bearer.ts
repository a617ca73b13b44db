import type { AuthCheck } from './access';
import { insufficientRole, invalidRequest, missingToken } from './challenge';
import { setPrincipal, type TokenVerifier } from './principal';
import { REQUIRED_ROLE, roleAllows } from './roles';

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** Far above any real token; bounds the work done on garbage. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * The AuthCheck of bearer tokens: 401 without a valid token, 403 when its role is too weak for
 * the route. Stateless, so an instance that receives a forwarded request (with the caller's
 * Authorization header) verifies it again and reaches the same answer with the same role.
 */
export function bearerAuth(verify: TokenVerifier): AuthCheck {
  return async (req, access) => {
    const header = req.get('authorization');
    if (header === undefined || header.trim() === '') throw missingToken();
    const match = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header) : null;
    if (!match) throw invalidRequest('the Authorization header must be "Bearer <token>"');
    const principal = await verify(match[1]!);
    if (!roleAllows(principal.role, access)) {
      throw insufficientRole(
        `role ${principal.role} may not do this; it needs role ${REQUIRED_ROLE[access]} or stronger`,
      );
    }
    setPrincipal(req, principal);
  };
}
