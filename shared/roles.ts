/**
 * The API's roles, weakest first; each includes everything the ones before it may do. Shared so
 * configuration (AUTH_TOKENS) and the API (api/auth/) name them once.
 * - `viewer`: reads (twins, devices, commands, live events, system views);
 * - `operator`: also desired-state patches and commands;
 * - `admin`: also the registry (register, update, delete, suspend, resume, attributes) and state injection.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
