import type { Request } from 'express';

/**
 * The authentication / authorisation seam. Every `/api/v1` route declares what it needs; probes,
 * metrics and the OpenAPI document are `public` and never reach the check.
 * - `read`: GET endpoints; `write`: changes to twins and commands; `admin`: state injection.
 */
export type Access = 'public' | 'read' | 'write' | 'admin';
export type ProtectedAccess = Exclude<Access, 'public'>;

/**
 * Resolve to allow; throw a TwinfoldError `UNAUTHORIZED` (no or bad credentials) or `FORBIDDEN`
 * (valid credentials, insufficient role) to deny. Runs before the body is read.
 */
export type AuthCheck = (req: Request, access: ProtectedAccess) => void | Promise<void>;

/** The default until tokens exist: everything is allowed. */
export const allowAll: AuthCheck = () => undefined;
