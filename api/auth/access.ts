import type { Request } from 'express';

/**
 * The authentication / authorisation seam. Every `/api/v1` route declares what it needs; probes,
 * metrics and the OpenAPI document are `public` and never reach the check.
 * - `read`: GET endpoints and live events (role viewer);
 * - `write`: desired-state patches and commands (role operator);
 * - `admin`: the registry and state injection (role admin).
 */
export type Access = 'public' | 'read' | 'write' | 'admin';
export type ProtectedAccess = Exclude<Access, 'public'>;

/**
 * What a check reads of a request: its headers. An Express request is one; so is a WebSocket
 * upgrade or auth message (api/ws/auth.ts builds it).
 */
export interface AuthRequest {
  readonly method?: string | undefined;
  readonly headers: Request['headers'];
  get(name: string): string | undefined;
}

/**
 * Resolve to allow; throw a TwinfoldError `UNAUTHORIZED` (no or bad credentials) or `FORBIDDEN`
 * (valid credentials, insufficient role) to deny. Runs before the body is read.
 */
export type AuthCheck = (req: AuthRequest, access: ProtectedAccess) => void | Promise<void>;

/** Everything is allowed: only for AUTH_MODE=none and for unit tests that are not about auth. */
export const allowAll: AuthCheck = () => undefined;
