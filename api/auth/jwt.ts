import { createHmac, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../../shared/auth-config';
import type { JsonObject } from '../json';
import { invalidToken } from './challenge';

/** What a JWT must satisfy besides its signature (RFC 7519 §4.1, RFC 8725). */
export interface JwtPolicy {
  /** The one accepted `alg`; anything else (`none`, the other family) is rejected before any crypto. */
  algorithm: JwtAlgorithm;
  /** HS256: a secret KeyObject; RS256: an RSA public KeyObject (see jwt-key.ts). */
  key: KeyObject;
  issuer: string;
  audience: string;
  /** Tolerance for `exp` and `nbf` between our clock and the issuer's. */
  clockSkewSeconds: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken(`the token ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidToken(`the token ${what} is not a JSON object`);
  return value as JsonObject;
}

function signatureValid(policy: JwtPolicy, signingInput: string, signature: Buffer): boolean {
  if (policy.algorithm === 'HS256') {
    const expected = createHmac('sha256', policy.key).update(signingInput).digest();
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
  // PKCS#1 v1.5 with SHA-256 is RS256; the key type was checked when it was loaded.
  return verifySignature('sha256', Buffer.from(signingInput), policy.key, signature);
}

function numericDate(claims: JsonObject, name: string, required: boolean): number | undefined {
  const value = claims[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidToken(`the token must carry a numeric "${name}" claim`);
  return value;
}

function checkClaims(policy: JwtPolicy, claims: JsonObject): void {
  const now = (policy.now ?? Date.now)() / 1000;
  const skew = policy.clockSkewSeconds;
  const exp = numericDate(claims, 'exp', true)!;
  if (now >= exp + skew) throw invalidToken('the token has expired');
  const nbf = numericDate(claims, 'nbf', false);
  if (nbf !== undefined && now < nbf - skew) throw invalidToken('the token is not valid yet');
  numericDate(claims, 'iat', false);
  if (claims.iss !== policy.issuer) throw invalidToken('the token issuer is not accepted');
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(policy.audience)) throw invalidToken('the token is not meant for this audience');
}

/**
 * Verifies a compact JWS (header.payload.signature) and returns its claims. Checks, in order: shape,
 * the header's `alg` equals the pinned algorithm exactly (so `none` and HS256-signed-with-the-
 * public-key forgeries never reach a key), no `crit` extensions, the signature, then `exp`
 * (required), `nbf`, `iss` (exact) and `aud` (string or array containing ours).
 * Throws TwinfoldError UNAUTHORIZED with an `invalid_token` challenge.
 */
export function verifyJwt(token: string, policy: JwtPolicy): JsonObject {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p)))
    throw invalidToken('the bearer token is not a signed JWT');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  if (header.alg !== policy.algorithm)
    throw invalidToken(`the token algorithm is not accepted (this API accepts ${policy.algorithm} only)`);
  if (header.crit !== undefined) throw invalidToken('the token uses critical header extensions');
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!signatureValid(policy, `${headerPart}.${payloadPart}`, signature))
    throw invalidToken('the token signature is not valid');
  const claims = decodeJson(payloadPart, 'payload');
  checkClaims(policy, claims);
  return claims;
}
