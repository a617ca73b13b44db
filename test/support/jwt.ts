import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** Test-side JWT signing (node:crypto only), for the unit and integration tests of api/auth. */
export type TestAlg = 'HS256' | 'RS256' | 'ES256' | 'none';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS. `header` overrides the generated one (to forge: another `alg`, `crit`, ...);
 * `alg: 'none'` leaves the signature empty, as such tokens do.
 */
export function signJwt(
  claims: Record<string, unknown>,
  alg: TestAlg,
  key: KeyObject | string | undefined,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  if (alg === 'none' || key === undefined) return `${input}.`;
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', key).update(input).digest()
      : alg === 'ES256'
        ? // JWS wants the raw r || s signature (RFC 7518 §3.4), not DER.
          sign('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', Buffer.from(input), key as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

/** A fresh 2048-bit RSA pair; the public key also as PEM (what AUTH_JWT_PUBLIC_KEY holds). */
export function rsaKeys(): { privateKey: KeyObject; publicKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A fresh P-256 pair (ES256); the public key also as PEM. */
export function ecKeys(): { privateKey: KeyObject; publicKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Standard claims valid for an hour from `nowSeconds`. */
export function claimsFor(
  nowSeconds: number,
  overrides: Record<string, unknown> = {},
  { issuer = 'https://issuer.test', audience = 'twinfold' } = {},
): Record<string, unknown> {
  return { iss: issuer, aud: audience, sub: 'user-1', iat: nowSeconds, exp: nowSeconds + 3600, ...overrides };
}
