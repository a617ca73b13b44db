import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { TwinfoldError } from '../../shared/errors';

export interface KeySetOptions {
  /** Longest wait for the key set document. */
  timeoutMs?: number;
  /**
   * Least time between two fetches. A token whose `kid` is not in the cached set triggers a fetch
   * (that is how a provider's key rotation is picked up) but not more often than this.
   */
  cooldownMs?: number;
  /** The cached set is fetched again after this long even if every `kid` was found. */
  maxAgeMs?: number;
}

/**
 * The signing keys of an OIDC provider, read from its JWKS URL (`jwks_uri`, e.g.
 * https://idp.example/realms/x/protocol/openid-connect/certs) with jose's remote key set: cached,
 * fetched again when a token names an unknown `kid` (key rotation) and every `maxAgeMs`. A key set
 * that cannot be fetched is `503 NOT_READY` (the caller may retry), not a rejected token.
 */
export function remoteKeySet(url: string, options: KeySetOptions = {}): JWTVerifyGetKey {
  const keys = createRemoteJWKSet(new URL(url), {
    timeoutDuration: options.timeoutMs ?? 5000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.maxAgeMs ?? 600_000,
  });
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
        throw err;
      throw new TwinfoldError('NOT_READY', "the token issuer's signing keys could not be fetched", {
        cause: err,
        retriable: true,
        details: { retryAfterSeconds: 5 },
      });
    }
  };
}
