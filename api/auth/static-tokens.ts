import { createHash, timingSafeEqual } from 'node:crypto';
import type { StaticToken } from '../../shared/auth-config';
import { invalidToken } from './challenge';
import type { Principal } from './principal';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Verifies tokens against the configured list (AUTH_TOKENS) in constant time: the presented token
 * and every configured one are compared as SHA-256 digests (equal lengths, so timingSafeEqual
 * applies and length leaks nothing), and every entry is compared whether or not one matched.
 */
export function staticTokenVerifier(tokens: readonly StaticToken[]): (token: string) => Principal {
  const entries = tokens.map((t) => {
    const digest = sha256(t.token);
    return { digest, role: t.role, subject: `token:${digest.toString('hex').slice(0, 8)}` };
  });
  return (token) => {
    const presented = sha256(token);
    let found: (typeof entries)[number] | undefined;
    for (const entry of entries) {
      const equal = timingSafeEqual(presented, entry.digest);
      found = equal && found === undefined ? entry : found;
    }
    if (!found) throw invalidToken('the bearer token is not valid');
    return { subject: found.subject, role: found.role, scheme: 'static' };
  };
}
