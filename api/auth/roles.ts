import { ROLES, isRole, type Role } from '../../shared/roles';
import type { ProtectedAccess } from './access';

export { ROLES, isRole, type Role };

/** The weakest role that may use a route of each access level. */
export const REQUIRED_ROLE: Readonly<Record<ProtectedAccess, Role>> = {
  read: 'viewer',
  write: 'operator',
  admin: 'admin',
};

const rank = (role: Role): number => ROLES.indexOf(role);

/** Whether `role` may use a route that needs `access` (roles include the weaker ones). */
export function roleAllows(role: Role, access: ProtectedAccess): boolean {
  return rank(role) >= rank(REQUIRED_ROLE[access]);
}

/** The strongest known role among `names` (unknown names are ignored); undefined when none is known. */
export function strongestRole(names: Iterable<string>): Role | undefined {
  let best: Role | undefined;
  for (const name of names) if (isRole(name) && (best === undefined || rank(name) > rank(best))) best = name;
  return best;
}
