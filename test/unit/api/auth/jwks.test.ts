import type { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { remoteKeySet } from '../../../../api/auth/jwks';
import { verifyJwt, type JwtPolicy } from '../../../../api/auth/jwt';
import { TwinfoldError } from '../../../../shared/errors';
import { claimsFor, ecKeys, rsaKeys, signJwt, type TestAlg } from '../../../support/jwt';

/**
 * AUTH_JWKS_URL against a real HTTP server publishing a key set, as an OIDC provider does at its
 * `jwks_uri`; the keys rotate between tests' requests. Tokens are signed with node:crypto
 * (test/support/jwt.ts), independently of the library that verifies them.
 */
const NOW = 1_800_000_000;

interface SigningKey {
  kid: string;
  alg: Exclude<TestAlg, 'HS256' | 'none'>;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function signingKey(kid: string, alg: SigningKey['alg']): SigningKey {
  return { kid, alg, ...(alg === 'RS256' ? rsaKeys() : ecKeys()) };
}

const jwk = (k: SigningKey): Record<string, unknown> => ({
  ...k.publicKey.export({ format: 'jwk' }),
  kid: k.kid,
  alg: k.alg,
  use: 'sig',
});

const token = (k: SigningKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signJwt(claimsFor(NOW, claims), k.alg, k.privateKey, { kid: k.kid, ...header });

let server: Server;
let url: string;
let published: SigningKey[] = [];
let fetches = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map(jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test/certs`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  fetches = 0;
});

function policy(algorithm: 'RS256' | 'ES256', keySetUrl = url): JwtPolicy {
  return {
    algorithm,
    // No cooldown: a rotation is picked up by the very next token that names the new key.
    key: remoteKeySet(keySetUrl, { cooldownMs: 0 }),
    issuer: 'https://issuer.test',
    audience: 'twinfold',
    clockSkewSeconds: 30,
    now: () => NOW * 1000,
  };
}

async function rejection(p: Promise<unknown>): Promise<TwinfoldError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TwinfoldError);
    return err as TwinfoldError;
  }
  throw new Error('expected a rejection');
}

describe('AUTH_JWKS_URL: the provider key set', () => {
  it('verifies with the key the token names, fetching the set once', async () => {
    const k1 = signingKey('k1', 'RS256');
    published = [k1, signingKey('k0', 'RS256')];
    const p = policy('RS256');
    expect((await verifyJwt(token(k1, { role: 'viewer' }), p)).role).toBe('viewer');
    expect((await verifyJwt(token(k1), p)).sub).toBe('user-1');
    expect(fetches).toBe(1);
  });

  it('follows a key rotation: the new key is fetched, the retired one refused', async () => {
    const old = signingKey('2026-01', 'RS256');
    const next = signingKey('2026-02', 'RS256');
    published = [old];
    const p = policy('RS256');
    await verifyJwt(token(old), p);
    published = [next];
    expect((await verifyJwt(token(next), p)).sub).toBe('user-1');
    const retired = await rejection(verifyJwt(token(old), p));
    expect(retired).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the token names no key the issuer publishes',
    });
    expect(fetches).toBeGreaterThanOrEqual(2);
  });

  it('verifies ES256 keys of the set', async () => {
    const k = signingKey('ec-1', 'ES256');
    published = [k, signingKey('rsa-1', 'RS256')];
    expect((await verifyJwt(token(k), policy('ES256'))).sub).toBe('user-1');
  });

  it('refuses a token signed by a key outside the set, even under a published kid', async () => {
    published = [signingKey('k1', 'RS256')];
    const impostor = signingKey('k1', 'RS256');
    const r = await rejection(verifyJwt(token(impostor), policy('RS256')));
    expect(r).toMatchObject({ code: 'UNAUTHORIZED', message: 'the token signature is not valid' });
  });

  it('keeps the pinned algorithm: alg none or HS256 never reach the key set', async () => {
    published = [signingKey('k1', 'RS256')];
    const none = signJwt(claimsFor(NOW), 'none', undefined, { kid: 'k1' });
    expect((await rejection(verifyJwt(none, policy('RS256')))).message).toMatch(/RS256 only/);
    const hs = signJwt(claimsFor(NOW), 'HS256', 'x'.repeat(40), { kid: 'k1' });
    expect((await rejection(verifyJwt(hs, policy('RS256')))).message).toMatch(/RS256 only/);
    expect(fetches).toBe(0);
  });

  it('answers NOT_READY (503, retriable) when the key set cannot be fetched', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const k = signingKey('k1', 'RS256');
    const r = await rejection(verifyJwt(token(k), policy('RS256', `http://127.0.0.1:${port}/certs`)));
    expect(r).toMatchObject({ code: 'NOT_READY', retriable: true });
  });
});
