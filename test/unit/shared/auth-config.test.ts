import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../shared/config';
import { ecKeys, rsaKeys } from '../../support/jwt';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const SECRET = 'x'.repeat(32);

describe('AUTH_* settings', () => {
  it('default to static tokens (authentication on) and parse AUTH_TOKENS', () => {
    const config = loadConfig({ AUTH_TOKENS: 'a-token-of-16-chars:operator' });
    expect(config.authMode).toBe('static');
    expect(config.authTokens).toEqual([{ token: 'a-token-of-16-chars', role: 'operator' }]);
  });

  it('accept AUTH_MODE=none only when spelled out', () => {
    expect(loadConfig({ AUTH_MODE: 'none' }).authMode).toBe('none');
    expect(problems({ AUTH_MODE: 'off' })).toEqual(['AUTH_MODE must be one of static, jwt, none, got "off"']);
  });

  it('make a JWT mode without issuer, audience or key a start-up error', () => {
    expect(problems({ AUTH_MODE: 'jwt' })).toEqual([
      'AUTH_MODE is jwt, so AUTH_JWT_ISSUER (the required "iss") must be set',
      'AUTH_MODE is jwt, so AUTH_JWT_AUDIENCE (the required "aud") must be set',
      'AUTH_JWT_ALGORITHM is RS256, so AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL must be set',
    ]);
    expect(
      problems({
        AUTH_MODE: 'jwt',
        AUTH_JWT_ALGORITHM: 'HS256',
        AUTH_JWT_ISSUER: 'i',
        AUTH_JWT_AUDIENCE: 'a',
      }),
    ).toEqual(['AUTH_JWT_ALGORITHM is HS256, so AUTH_JWT_SECRET must be set']);
  });

  it('accept a complete HS256 or RS256 setting (PEM inline with \\n, or a file)', () => {
    const hs = loadConfig({
      AUTH_MODE: 'jwt',
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_ISSUER: 'https://issuer.test',
      AUTH_JWT_AUDIENCE: 'twinfold',
    });
    expect(hs).toMatchObject({
      authJwtAlgorithm: 'HS256',
      authJwtRoleClaim: 'role',
      authJwtClockSkewSeconds: 30,
    });
    const { publicPem } = rsaKeys();
    const base = { AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a' };
    const inline = loadConfig({ ...base, AUTH_JWT_PUBLIC_KEY: publicPem.replace(/\n/g, '\\n') });
    expect(inline.authJwtPublicKey).toBe(publicPem);
    const file = join(mkdtempSync(join(tmpdir(), 'twinfold-key-')), 'key.pem');
    writeFileSync(file, publicPem);
    expect(loadConfig({ ...base, AUTH_JWT_PUBLIC_KEY: file }).authJwtPublicKey).toBe(publicPem);
  });

  it('reject weak or mismatched keys', () => {
    expect(problems({ AUTH_JWT_SECRET: 'short' })).toEqual(['AUTH_JWT_SECRET must be at least 32 bytes']);
    expect(problems({ AUTH_JWT_PUBLIC_KEY: '/no/such/file.pem' })[0]).toMatch(
      /AUTH_JWT_PUBLIC_KEY is neither PEM text nor a readable file/,
    );
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(problems({ AUTH_JWT_PUBLIC_KEY: p384.toString() })).toEqual([
      'AUTH_JWT_PUBLIC_KEY must be an RSA public key of at least 2048 bits or a P-256 EC public key',
    ]);
    const { publicPem } = rsaKeys();
    const jwt = { AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a' };
    expect(problems({ ...jwt, AUTH_JWT_ALGORITHM: 'ES256', AUTH_JWT_PUBLIC_KEY: publicPem })).toEqual([
      'AUTH_JWT_ALGORITHM is ES256, so AUTH_JWT_PUBLIC_KEY must be a P-256 EC key',
    ]);
    expect(problems({ ...jwt, AUTH_JWT_PUBLIC_KEY: ecKeys().publicPem })).toEqual([
      'AUTH_JWT_ALGORITHM is RS256, so AUTH_JWT_PUBLIC_KEY must be an RSA key',
    ]);
    expect(
      problems({
        AUTH_MODE: 'jwt',
        AUTH_JWT_ISSUER: 'i',
        AUTH_JWT_AUDIENCE: 'a',
        AUTH_JWT_PUBLIC_KEY: publicPem,
        AUTH_JWT_SECRET: SECRET,
      }),
    ).toEqual(['AUTH_JWT_ALGORITHM is RS256: unset AUTH_JWT_SECRET']);
  });

  it('accept ES256 with a P-256 key, and RS256 or ES256 with a JWKS URL instead of a key', () => {
    const jwt = { AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a' };
    const es = loadConfig({ ...jwt, AUTH_JWT_ALGORITHM: 'ES256', AUTH_JWT_PUBLIC_KEY: ecKeys().publicPem });
    expect(es.authJwtAlgorithm).toBe('ES256');
    const jwks = 'https://idp.example/realms/x/protocol/openid-connect/certs';
    for (const alg of ['RS256', 'ES256']) {
      expect(loadConfig({ ...jwt, AUTH_JWT_ALGORITHM: alg, AUTH_JWKS_URL: jwks }).authJwksUrl).toBe(jwks);
    }
  });

  it('reject a JWKS URL that is not http(s), one next to a public key, and one for HS256', () => {
    const jwt = { AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a' };
    expect(problems({ AUTH_JWKS_URL: 'file:///etc/keys.json' })[0]).toMatch(/AUTH_JWKS_URL must be an http/);
    expect(
      problems({ ...jwt, AUTH_JWKS_URL: 'https://idp/certs', AUTH_JWT_PUBLIC_KEY: rsaKeys().publicPem }),
    ).toEqual(['set AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL, not both']);
    expect(
      problems({
        ...jwt,
        AUTH_JWT_ALGORITHM: 'HS256',
        AUTH_JWT_SECRET: SECRET,
        AUTH_JWKS_URL: 'https://idp/certs',
      }),
    ).toEqual(['AUTH_JWT_ALGORITHM is HS256 (a shared secret): unset AUTH_JWKS_URL']);
  });

  it('reject a role claim that is not a name or dotted path', () => {
    expect(problems({ AUTH_JWT_ROLE_CLAIM: 'a..b' })[0]).toMatch(/AUTH_JWT_ROLE_CLAIM must be a claim name/);
  });
});
