/**
 * Authentication and roles: bearer tokens (static or JWT) mapped to viewer < operator < admin,
 * checked per route by `mount.ts` through the AuthCheck seam.
 */
export { allowAll, type Access, type AuthCheck, type AuthRequest, type ProtectedAccess } from './access';
export { bearerAuth } from './bearer';
export { challengeOf } from './challenge';
export { authFromConfig } from './from-config';
export { verifyJwt, type JwtPolicy } from './jwt';
export { jwtKey } from './jwt-key';
export { remoteKeySet, type KeySetOptions } from './jwks';
export { jwtVerifier } from './jwt-role';
export { principalOf, type Principal, type TokenVerifier } from './principal';
export { REQUIRED_ROLE, roleAllows, type Role } from './roles';
export { staticTokenVerifier } from './static-tokens';
