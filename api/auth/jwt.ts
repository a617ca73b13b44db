import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { JwtAlgorithm } from '../../shared/auth-config';
import { isJsonObject, type JsonObject } from '../json';
import { invalidToken } from './challenge';

/** What a JWT must satisfy besides its signature (RFC 7519 §4.1, RFC 8725). */
export interface JwtPolicy {
  /** The one accepted `alg`; anything else (`none`, another family) is refused before any key is used. */
  algorithm: JwtAlgorithm;
  /**
   * A fixed key (HS256: a secret KeyObject; RS256 / ES256: an RSA / P-256 public KeyObject, see
   * jwt-key.ts) or an OIDC provider's key set (jwks.ts), which picks the key by the token's `kid`.
   */
  key: KeyObject | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Tolerance for `exp` and `nbf` between our clock and the issuer's. */
  clockSkewSeconds: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/** A stable, client-safe reason for each way jose refuses a token. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' && err.reason === 'check_failed') return 'the token is not valid yet';
    if (err.claim === 'iss') return 'the token issuer is not accepted';
    if (err.claim === 'aud') return 'the token is not meant for this audience';
    return `the token must carry a numeric "${err.claim}" claim`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
    return 'the token names no key the issuer publishes';
  return 'the bearer token is not a signed JWT';
}

/**
 * Verifies a compact JWS with jose and returns its claims. Before jose sees the token, the header's
 * `alg` must equal the pinned algorithm exactly (so `none` and HS256-signed-with-the-public-key
 * forgeries never reach a key) and it must carry no `crit` extensions; jose then checks the
 * signature, `exp` (required), `nbf`, `iss` (exact) and `aud` (string or array containing ours).
 * Throws TwinfoldError UNAUTHORIZED with an `invalid_token` challenge.
 */
export async function verifyJwt(token: string, policy: JwtPolicy): Promise<JsonObject> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalidToken('the bearer token is not a signed JWT');
  }
  if (header.alg !== policy.algorithm)
    throw invalidToken(`the token algorithm is not accepted (this API accepts ${policy.algorithm} only)`);
  if (header.crit !== undefined) throw invalidToken('the token uses critical header extensions');
  try {
    const options = {
      algorithms: [policy.algorithm],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: policy.clockSkewSeconds,
      requiredClaims: ['exp'],
      ...(policy.now ? { currentDate: new Date(policy.now()) } : {}),
    };
    // Two calls rather than a union argument: jose overloads jwtVerify per key kind.
    const { payload } =
      typeof policy.key === 'function'
        ? await jwtVerify(token, policy.key, options)
        : await jwtVerify(token, policy.key, options);
    if (!isJsonObject(payload)) throw invalidToken('the token payload is not a JSON object');
    return payload;
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof TypeError) throw invalidToken(reasonOf(err));
    throw err;
  }
}
