import type { JsonObject, JsonValue } from '../json';
import type { Principal, TokenVerifier } from './principal';
import { insufficientRole } from './challenge';
import { verifyJwt, type JwtPolicy } from './jwt';
import { ROLES, strongestRole } from './roles';

/** The value at a dotted path (`realm_access.roles`) of the claims; undefined when absent. */
function claimAt(claims: JsonObject, path: string): JsonValue | undefined {
  let value: JsonValue | undefined = claims;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, name) ? value[name] : undefined;
  }
  return value;
}

/** A string (one role, or several separated by spaces as in `scope`) or an array of strings. */
function roleNames(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * A TokenVerifier for JWTs: verifyJwt, then the strongest role named in `roleClaim`. A valid token
 * without a known role is 403 (authenticated, but allowed nothing), not 401.
 */
export function jwtVerifier(policy: JwtPolicy, roleClaim: string): TokenVerifier {
  return async (token): Promise<Principal> => {
    const claims = await verifyJwt(token, policy);
    const role = strongestRole(roleNames(claimAt(claims, roleClaim)));
    if (!role) {
      throw insufficientRole(`the token's "${roleClaim}" claim names none of the roles ${ROLES.join(', ')}`);
    }
    const subject = typeof claims.sub === 'string' ? claims.sub.slice(0, 128) : 'unknown';
    return { subject, role, scheme: 'jwt' };
  };
}
