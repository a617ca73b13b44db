import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../../shared/auth-config';

/**
 * The KeyObject a pinned algorithm verifies with. Typed keys are a second guard against algorithm
 * confusion: an HS256 key is a secret KeyObject, an RS256 key an RSA public one, an ES256 key a
 * P-256 public one, and verification refuses a key of the wrong type for the algorithm.
 */
export function jwtKey(algorithm: JwtAlgorithm, material: string): KeyObject {
  if (algorithm === 'HS256') return createSecretKey(Buffer.from(material, 'utf8'));
  const key = createPublicKey(material);
  if (algorithm === 'RS256' && key.asymmetricKeyType !== 'rsa')
    throw new Error('RS256 needs an RSA public key');
  if (
    algorithm === 'ES256' &&
    (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
  )
    throw new Error('ES256 needs a P-256 public key');
  return key;
}
