import { createSecretKey } from 'node:crypto';
import { jwtKey } from '../../../../api/auth/jwt-key';
import { jwtVerifier } from '../../../../api/auth/jwt-role';
import { verifyJwt, type JwtPolicy } from '../../../../api/auth/jwt';
import { TwinfoldError } from '../../../../shared/errors';
import { claimsFor, ecKeys, rsaKeys, signJwt } from '../../../support/jwt';

const NOW = 1_800_000_000;
const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';
const rsa = rsaKeys();
const ec = ecKeys();
const KEYS = { HS256: SECRET, RS256: rsa.publicPem, ES256: ec.publicPem };

function policy(algorithm: 'HS256' | 'RS256' | 'ES256', overrides: Partial<JwtPolicy> = {}): JwtPolicy {
  return {
    algorithm,
    key: jwtKey(algorithm, KEYS[algorithm]),
    issuer: 'https://issuer.test',
    audience: 'twinfold',
    clockSkewSeconds: 30,
    now: () => NOW * 1000,
    ...overrides,
  };
}

/** The error verifyJwt throws, as code + message + challenge. */
async function rejection(
  fn: () => Promise<unknown>,
): Promise<{ code: string; message: string; challenge: unknown }> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TwinfoldError);
    const e = err as TwinfoldError;
    return { code: e.code, message: e.message, challenge: e.details?.challenge };
  }
  throw new Error('expected a rejection');
}

const hs = (claims: Record<string, unknown>, header?: Record<string, unknown>): string =>
  signJwt(claims, 'HS256', SECRET, header);
const rs = (claims: Record<string, unknown>, header?: Record<string, unknown>): string =>
  signJwt(claims, 'RS256', rsa.privateKey, header);
const es = (claims: Record<string, unknown>, header?: Record<string, unknown>): string =>
  signJwt(claims, 'ES256', ec.privateKey, header);

describe('verifyJwt', () => {
  it.each([
    ['HS256', hs],
    ['RS256', rs],
    ['ES256', es],
  ] as const)('accepts a valid %s token and returns its claims', async (alg, make) => {
    const claims = claimsFor(NOW, { role: 'viewer' });
    expect(await verifyJwt(make(claims), policy(alg))).toEqual(claims);
  });

  it('accepts an audience array containing ours', async () => {
    const token = hs(claimsFor(NOW, { aud: ['other', 'twinfold'] }));
    expect((await verifyJwt(token, policy('HS256'))).sub).toBe('user-1');
  });

  it('rejects a bad signature (another secret, another key, a tampered payload)', async () => {
    const other = signJwt(claimsFor(NOW), 'HS256', 'another-secret-that-is-also-32-bytes-long');
    expect((await rejection(() => verifyJwt(other, policy('HS256')))).message).toMatch(
      /signature is not valid/,
    );
    const otherKey = signJwt(claimsFor(NOW), 'RS256', rsaKeys().privateKey);
    expect((await rejection(() => verifyJwt(otherKey, policy('RS256')))).message).toMatch(/signature/);
    const [h, , s] = hs(claimsFor(NOW, { role: 'viewer' })).split('.');
    const forgedPayload = Buffer.from(JSON.stringify(claimsFor(NOW, { role: 'admin' }))).toString(
      'base64url',
    );
    expect((await rejection(() => verifyJwt(`${h}.${forgedPayload}.${s}`, policy('HS256')))).code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('rejects an expired token, honouring the clock skew', async () => {
    const expired = hs(claimsFor(NOW, { exp: NOW - 31 }));
    const r = await rejection(() => verifyJwt(expired, policy('HS256')));
    expect(r).toMatchObject({ code: 'UNAUTHORIZED', message: 'the token has expired' });
    expect(r.challenge).toMatch(/^Bearer realm="twinfold", error="invalid_token"/);
    expect(await verifyJwt(hs(claimsFor(NOW, { exp: NOW - 29 })), policy('HS256'))).toBeDefined();
  });

  it('rejects a token that is not valid yet, honouring the clock skew', async () => {
    const early = hs(claimsFor(NOW, { nbf: NOW + 31 }));
    expect((await rejection(() => verifyJwt(early, policy('HS256')))).message).toBe(
      'the token is not valid yet',
    );
    expect(await verifyJwt(hs(claimsFor(NOW, { nbf: NOW + 29 })), policy('HS256'))).toBeDefined();
  });

  it('requires exp, and numeric dates', async () => {
    const { exp: _exp, ...noExp } = claimsFor(NOW);
    expect((await rejection(() => verifyJwt(hs(noExp), policy('HS256')))).message).toMatch(/numeric "exp"/);
    const stringExp = hs(claimsFor(NOW, { exp: String(NOW + 60) }));
    expect((await rejection(() => verifyJwt(stringExp, policy('HS256')))).message).toMatch(/numeric "exp"/);
  });

  it('rejects a wrong or missing issuer', async () => {
    const wrong = hs(claimsFor(NOW, { iss: 'https://evil.test' }));
    expect((await rejection(() => verifyJwt(wrong, policy('HS256')))).message).toBe(
      'the token issuer is not accepted',
    );
    const { iss: _iss, ...noIss } = claimsFor(NOW);
    expect((await rejection(() => verifyJwt(hs(noIss), policy('HS256')))).message).toMatch(/issuer/);
  });

  it('rejects a wrong or missing audience', async () => {
    const wrong = hs(claimsFor(NOW, { aud: 'another-api' }));
    expect((await rejection(() => verifyJwt(wrong, policy('HS256')))).message).toMatch(/audience/);
    const list = hs(claimsFor(NOW, { aud: ['a', 'b'] }));
    expect((await rejection(() => verifyJwt(list, policy('HS256')))).message).toMatch(/audience/);
    const { aud: _aud, ...noAud } = claimsFor(NOW);
    expect((await rejection(() => verifyJwt(hs(noAud), policy('HS256')))).message).toMatch(/audience/);
  });

  it('rejects alg=none, signed or not', async () => {
    const unsigned = signJwt(claimsFor(NOW), 'none', undefined);
    expect((await rejection(() => verifyJwt(unsigned, policy('HS256')))).code).toBe('UNAUTHORIZED');
    // `none` with a signature attached anyway, and the same against an RS256 policy.
    const dressed = hs(claimsFor(NOW), { alg: 'none' });
    expect((await rejection(() => verifyJwt(dressed, policy('HS256')))).message).toMatch(
      /algorithm is not accepted/,
    );
    expect((await rejection(() => verifyJwt(dressed, policy('RS256')))).message).toMatch(
      /algorithm is not accepted/,
    );
  });

  it('rejects algorithm confusion: HS256 signed with the RS256 public key', async () => {
    // The classic attack: the public key is public, so an HMAC keyed with its PEM is forgeable.
    const forged = signJwt(claimsFor(NOW, { role: 'admin' }), 'HS256', rsa.publicPem);
    const r = await rejection(() => verifyJwt(forged, policy('RS256')));
    expect(r.message).toBe('the token algorithm is not accepted (this API accepts RS256 only)');
  });

  it('rejects an ES256 token signed with another key, and one where RS256 is pinned', async () => {
    const other = signJwt(claimsFor(NOW), 'ES256', ecKeys().privateKey);
    expect((await rejection(() => verifyJwt(other, policy('ES256')))).message).toBe(
      'the token signature is not valid',
    );
    expect((await rejection(() => verifyJwt(es(claimsFor(NOW)), policy('RS256')))).message).toMatch(
      /RS256 only/,
    );
  });

  it('rejects an RS256 token where HS256 is pinned, and algorithm names in another case', async () => {
    expect((await rejection(() => verifyJwt(rs(claimsFor(NOW)), policy('HS256')))).message).toMatch(
      /HS256 only/,
    );
    const lower = hs(claimsFor(NOW), { alg: 'hs256' });
    expect((await rejection(() => verifyJwt(lower, policy('HS256')))).message).toMatch(/algorithm/);
  });

  it('rejects critical header extensions and malformed tokens', async () => {
    expect(
      (await rejection(() => verifyJwt(hs(claimsFor(NOW), { crit: ['b64'] }), policy('HS256')))).message,
    ).toMatch(/critical/);
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a.b.c', '!!.??.**', `${hs(claimsFor(NOW))}x`]) {
      expect((await rejection(() => verifyJwt(bad, policy('HS256')))).code).toBe('UNAUTHORIZED');
    }
    const notObject = `${Buffer.from('[1]').toString('base64url')}.e30.c2ln`;
    expect((await rejection(() => verifyJwt(notObject, policy('HS256')))).message).toMatch(
      /not a signed JWT/,
    );
  });
});

describe('jwtKey', () => {
  it('types keys by algorithm, so a secret never verifies RS256 nor a public key HS256', async () => {
    expect(jwtKey('HS256', SECRET).type).toBe('secret');
    expect(jwtKey('RS256', rsa.publicPem).type).toBe('public');
    expect(jwtKey('ES256', ec.publicPem).asymmetricKeyType).toBe('ec');
    expect(() => jwtKey('RS256', SECRET)).toThrow();
    expect(() => jwtKey('ES256', rsa.publicPem)).toThrow(/P-256/);
    expect(() => jwtKey('RS256', ec.publicPem)).toThrow(/RSA/);
    const secretAsRs256 = policy('RS256', { key: createSecretKey(Buffer.from(SECRET)) });
    await expect(verifyJwt(rs(claimsFor(NOW)), secretAsRs256)).rejects.toThrow();
  });
});

describe('jwtVerifier role mapping', () => {
  const verify = async (claims: Record<string, unknown>, roleClaim = 'role') =>
    jwtVerifier(policy('HS256'), roleClaim)(hs(claimsFor(NOW, claims)));

  it('maps the role claim to a role, and sub to the subject', async () => {
    expect(await verify({ role: 'operator' })).toEqual({
      subject: 'user-1',
      role: 'operator',
      scheme: 'jwt',
    });
  });

  it('takes the strongest known role of an array or a space-separated list', async () => {
    expect((await verify({ role: ['viewer', 'admin', 'unknown'] })).role).toBe('admin');
    expect((await verify({ role: 'openid viewer operator' })).role).toBe('operator');
  });

  it('follows a dotted claim path (Keycloak realm_access.roles)', async () => {
    expect(
      (await verify({ realm_access: { roles: ['offline_access', 'viewer'] } }, 'realm_access.roles')).role,
    ).toBe('viewer');
  });

  it('answers 403, not 401, for a valid token without a known role', async () => {
    for (const claims of [{}, { role: 'superuser' }, { role: 42 }, { role: ['ADMIN'] }]) {
      const r = await rejection(() => verify(claims));
      expect(r.code).toBe('FORBIDDEN');
      expect(r.challenge).toMatch(/error="insufficient_scope"/);
    }
  });

  it('does not read inherited properties as claims', async () => {
    expect((await rejection(() => verify({}, 'constructor.name'))).code).toBe('FORBIDDEN');
  });
});
