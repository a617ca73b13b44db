import type { Role } from './roles';

/** Who a request acts for, once its bearer token has been verified. */
export interface Principal {
  /** `sub` of a JWT, or `token:<first 8 hex of its SHA-256>` for a static token: safe to log. */
  subject: string;
  role: Role;
  scheme: 'static' | 'jwt';
}

/** Checks a bearer token; throws TwinfoldError UNAUTHORIZED (bad token) or FORBIDDEN (no role). */
export type TokenVerifier = (token: string) => Principal | Promise<Principal>;

const principals = new WeakMap<object, Principal>();

/** Remembers the verified principal of a request (bearer.ts does this). */
export function setPrincipal(req: object, principal: Principal): void {
  principals.set(req, principal);
}

/** The verified principal of a request (Express or WebSocket); undefined when auth is off or the route is public. */
export function principalOf(req: object): Principal | undefined {
  return principals.get(req);
}
