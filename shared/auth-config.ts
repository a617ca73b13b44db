import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isRole, ROLES, type Role } from './roles';

/**
 * Parsers and cross-checks of the AUTH_* settings (shared/config.ts holds the schema). Kept apart
 * so config.ts stays a table; each parser throws an Error whose message completes
 * "<VARIABLE> ...", as config.ts reports it.
 */
export const AUTH_MODES = ['static', 'jwt', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface StaticToken {
  token: string;
  role: Role;
}

/** Shorter tokens are guessable; 16 characters is the floor, `openssl rand -hex 32` the advice. */
export const MIN_STATIC_TOKEN_LENGTH = 16;
/** RFC 7518 §3.2: an HS256 key at least as long as the hash (32 bytes). */
export const MIN_JWT_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;

/** `token1:viewer,token2:operator`; the role follows the last colon. Never echoes a token. */
export function parseStaticTokens(raw: string): StaticToken[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.lastIndexOf(':');
    const token = colon < 0 ? entry : entry.slice(0, colon);
    const role = colon < 0 ? '' : entry.slice(colon + 1);
    const where = `entry ${i + 1}`;
    if (!isRole(role)) throw new Error(`${where} must be token:role with role one of ${ROLES.join(', ')}`);
    if (token.length < MIN_STATIC_TOKEN_LENGTH)
      throw new Error(`${where}: the token must be at least ${MIN_STATIC_TOKEN_LENGTH} characters`);
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
      throw new Error(`${where}: the token may only contain A-Z a-z 0-9 - . _ ~ + / and trailing =`);
    if (seen.has(token)) throw new Error(`${where} repeats an earlier token`);
    seen.add(token);
    return { token, role };
  });
}

/** An HS256 shared secret: at least 32 bytes of UTF-8. */
export function parseJwtSecret(raw: string): string | undefined {
  if (raw === '') return undefined;
  if (Buffer.byteLength(raw, 'utf8') < MIN_JWT_SECRET_BYTES)
    throw new Error(`must be at least ${MIN_JWT_SECRET_BYTES} bytes`);
  return raw;
}

/** What kind of public key a PEM holds, as far as JWT verification cares. */
export function publicKeyKind(pem: string): 'rsa' | 'p256' | 'other' {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  return 'other';
}

/**
 * An RS256 or ES256 public key: PEM text (newlines may be written as `\n`) or the path of a PEM
 * file. Returns the PEM; rejects anything but an RSA key of 2048 bits or more or a P-256 EC key.
 * Which of the two AUTH_JWT_ALGORITHM needs is checked by jwtSettingProblems.
 */
export function parseJwtPublicKey(raw: string): string | undefined {
  if (raw === '') return undefined;
  let pem = raw.replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN')) {
    try {
      pem = readFileSync(raw, 'utf8');
    } catch (err) {
      throw new Error(`is neither PEM text nor a readable file (${(err as Error).message})`);
    }
  }
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('is not a PEM public key');
  }
  const kind = publicKeyKind(pem);
  if (kind === 'p256') return pem;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (kind !== 'rsa' || bits < MIN_RSA_BITS)
    throw new Error(`must be an RSA public key of at least ${MIN_RSA_BITS} bits or a P-256 EC public key`);
  return pem;
}

/** The JWKS URL of an OIDC provider (its `jwks_uri`): http or https. */
export function parseJwksUrl(raw: string): string | undefined {
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`must be a URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return url.toString();
}

/** A claim name or a dotted path into nested objects, e.g. `realm_access.roles`. */
export function parseClaimPath(raw: string): string {
  if (!/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/.test(raw))
    throw new Error(`must be a claim name or a dotted path, got ${JSON.stringify(raw)}`);
  return raw;
}

/** What loadConfig parsed for AUTH_* (undefined where a setting failed to parse). */
export interface AuthSettings {
  authMode?: AuthMode;
  authJwtAlgorithm?: JwtAlgorithm;
  authJwtSecret?: string;
  authJwtPublicKey?: string;
  authJwksUrl?: string;
  authJwtIssuer?: string;
  authJwtAudience?: string;
}

/**
 * Cross-checks of AUTH_MODE=jwt: a pinned algorithm needs its key (HS256 a secret; RS256 and ES256
 * a public key of their type or a JWKS URL), an issuer and an audience.
 */
export function jwtSettingProblems(s: AuthSettings): string[] {
  if (s.authMode !== 'jwt') return [];
  const problems: string[] = [];
  if (!s.authJwtIssuer)
    problems.push('AUTH_MODE is jwt, so AUTH_JWT_ISSUER (the required "iss") must be set');
  if (!s.authJwtAudience)
    problems.push('AUTH_MODE is jwt, so AUTH_JWT_AUDIENCE (the required "aud") must be set');
  const { authJwtAlgorithm: alg, authJwtSecret: secret, authJwtPublicKey: publicKey, authJwksUrl: jwks } = s;
  if (alg === 'HS256') {
    if (!secret) problems.push('AUTH_JWT_ALGORITHM is HS256, so AUTH_JWT_SECRET must be set');
    // One key only: a leftover key of the other kind suggests a mix-up worth stopping for.
    if (publicKey) problems.push('AUTH_JWT_ALGORITHM is HS256: unset AUTH_JWT_PUBLIC_KEY');
    if (jwks) problems.push('AUTH_JWT_ALGORITHM is HS256 (a shared secret): unset AUTH_JWKS_URL');
    return problems;
  }
  if (alg === undefined) return problems;
  if (secret) problems.push(`AUTH_JWT_ALGORITHM is ${alg}: unset AUTH_JWT_SECRET`);
  if (!publicKey && !jwks)
    problems.push(`AUTH_JWT_ALGORITHM is ${alg}, so AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL must be set`);
  if (publicKey && jwks) problems.push('set AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL, not both');
  const wanted = alg === 'RS256' ? 'rsa' : 'p256';
  if (publicKey && publicKeyKind(publicKey) !== wanted)
    problems.push(
      `AUTH_JWT_ALGORITHM is ${alg}, so AUTH_JWT_PUBLIC_KEY must be ${alg === 'RS256' ? 'an RSA' : 'a P-256 EC'} key`,
    );
  return problems;
}
