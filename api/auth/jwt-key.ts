import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../../shared/auth-config';

/**
 * The KeyObject a pinned algorithm verifies with. Typed keys are a second guard against algorithm
 * confusion: an HS256 key is a secret KeyObject, an RS256 key an RSA public one, and node:crypto
 * refuses to HMAC with a public key or RSA-verify with a secret.
 */
export function jwtKey(algorithm: JwtAlgorithm, material: string): KeyObject {
  if (algorithm === 'HS256') return createSecretKey(Buffer.from(material, 'utf8'));
  const key = createPublicKey(material);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('RS256 needs an RSA public key');
  return key;
}
