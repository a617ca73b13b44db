import { httpRequest, type HttpAnswer } from '../support/http-client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { claimsFor, ecKeys, rsaKeys, signJwt } from '../support/jwt';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';
import { QUIET_TIMERS } from '../support/workload';

const ISSUER = 'https://idp.twinfold.test';
const AUDIENCE = 'twinfold-api';

/**
 * Authentication against real service processes: two instances over one group with RS256 JWTs, so
 * some requests are served locally and some forwarded to the partition's owner, which verifies
 * the caller's token again and keeps its role. Also: the service refuses to start with
 * authentication on and nothing to authenticate with.
 */
describe('API authentication and roles (JWT RS256, 2 instances)', () => {
  let d: Deployment;
  let instances: ServiceInstance[];
  const keys = rsaKeys();
  const now = (): number => Math.floor(Date.now() / 1000);
  const token = (
    claims: Record<string, unknown>,
    alg: 'RS256' | 'HS256' | 'none' = 'RS256',
    key: unknown = keys.privateKey,
  ): string => signJwt(claimsFor(now(), claims, { issuer: ISSUER, audience: AUDIENCE }), alg, key as never);
  const as = (t: string | undefined): Record<string, string> =>
    t === undefined ? {} : { authorization: `Bearer ${t}` };
  const ids = ['auth-a', 'auth-b', 'auth-c', 'auth-d', 'auth-e', 'auth-f'];

  const admin = (): string => token({ roles: ['admin'], sub: 'admin-1' });
  const operator = (): string => token({ roles: ['operator'], sub: 'op-1' });
  const viewer = (): string => token({ roles: 'viewer', sub: 'viewer-1' });

  beforeAll(async () => {
    d = deployment('api-auth', {
      ...QUIET_TIMERS,
      AUTH_MODE: 'jwt',
      AUTH_JWT_ALGORITHM: 'RS256',
      // Inline PEM with escaped newlines, as it would sit in a single-line environment file.
      AUTH_JWT_PUBLIC_KEY: keys.publicPem.replace(/\n/g, '\\n'),
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      AUTH_JWT_ROLE_CLAIM: 'roles',
    });
    instances = await Promise.all(['a', 'b'].map((name) => startService(d, name)));
    for (const id of ids) {
      const res = await httpRequest(instances[0]!.url, 'POST', '/api/v1/twins', {
        headers: as(admin()),
        body: { id, type: 'valve' },
      });
      expect(res.status).toBe(202);
    }
    // Every twin readable through every instance: ownership settled, forwarding works.
    await waitFor(
      'every twin through every instance',
      async () => {
        for (const s of instances)
          for (const id of ids)
            if (
              (await httpRequest(s.url, 'GET', `/api/v1/twins/${id}`, { headers: as(viewer()) })).status !==
              200
            )
              return false;
        return true;
      },
      { timeoutMs: 90000, intervalMs: 500 },
    );
  });
  afterAll(async () => d?.cleanup());

  const codeOf = (res: HttpAnswer): string | undefined =>
    (res.body as { error?: { code?: string } } | undefined)?.error?.code;

  it('logs the pinned algorithm, issuer and audience at start-up', () => {
    for (const s of instances) {
      expect(
        s.process.lines.some(
          (l) => l.includes('"msg":"authentication: JWT bearer tokens"') && l.includes('"algorithm":"RS256"'),
        ),
      ).toBe(true);
    }
  });

  it('keeps probes, metrics and the OpenAPI document public', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json']) {
      expect((await httpRequest(instances[1]!.url, 'GET', path)).status).toBe(200);
    }
  });

  it('answers the auth matrix on every instance, for local and forwarded twins alike', async () => {
    const otherKey = rsaKeys().privateKey;
    const cases: {
      name: string;
      token: () => string | undefined;
      method: string;
      path: string;
      body?: unknown;
      status: number;
      code?: string;
    }[] = [
      {
        name: 'no token',
        token: () => undefined,
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'bad signature',
        token: () => token({ roles: ['admin'] }, 'RS256', otherKey),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'expired',
        token: () => token({ roles: ['admin'], exp: now() - 300 }),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'not yet valid',
        token: () => token({ roles: ['admin'], nbf: now() + 600 }),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'wrong audience',
        token: () => token({ roles: ['admin'], aud: 'another-api' }),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'wrong issuer',
        token: () => token({ roles: ['admin'], iss: 'https://evil.test' }),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'alg none',
        token: () => token({ roles: ['admin'] }, 'none', undefined),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: 'HS256 keyed with the public key',
        token: () => token({ roles: ['admin'] }, 'HS256', keys.publicPem),
        method: 'GET',
        path: '',
        status: 401,
        code: 'UNAUTHORIZED',
      },
      { name: 'no role', token: () => token({}), method: 'GET', path: '', status: 403, code: 'FORBIDDEN' },
      { name: 'viewer reads', token: viewer, method: 'GET', path: '', status: 200 },
      {
        name: 'viewer patches desired',
        token: viewer,
        method: 'PATCH',
        path: '/desired',
        body: { interval: 5 },
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        name: 'viewer queues a command',
        token: viewer,
        method: 'POST',
        path: '/command',
        body: { action: 'ping' },
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        name: 'operator patches desired',
        token: operator,
        method: 'PATCH',
        path: '/desired',
        body: { interval: 7 },
        status: 202,
      },
      {
        name: 'operator suspends (registry)',
        token: operator,
        method: 'POST',
        path: '/suspend',
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        name: 'operator injects state',
        token: operator,
        method: 'PUT',
        path: '/state',
        body: { temperature: 1 },
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        name: 'admin injects state',
        token: admin,
        method: 'PUT',
        path: '/state',
        body: { temperature: 2 },
        status: 202,
      },
    ];
    const failures: string[] = [];
    for (const s of instances) {
      for (const id of ids) {
        for (const c of cases) {
          const res = await httpRequest(s.url, c.method, `/api/v1/twins/${id}${c.path}`, {
            headers: as(c.token()),
            ...(c.body === undefined ? {} : { body: c.body }),
          });
          const got = `${res.status} ${codeOf(res) ?? ''}`.trim();
          const want = `${c.status} ${c.code ?? ''}`.trim();
          if (got !== want)
            failures.push(
              `${c.name} on ${id} via ${s.url}: ${got}, want ${want} (${res.text.slice(0, 200)})`,
            );
          if (res.status === 401 && !/^Bearer realm="twinfold"/.test(String(res.headers['www-authenticate'])))
            failures.push(`${c.name}: 401 without a Bearer challenge`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Both instances forwarded some of those requests (their twins live on the other one).
    for (const s of instances) {
      const metrics = (await httpRequest(s.url, 'GET', '/metrics')).text;
      const forwarded = [...metrics.matchAll(/^twinfold_api_forwarded_requests_total(?:\{[^}]*\})? (\d+)/gm)];
      expect(forwarded.reduce((n, m) => n + Number(m[1]), 0)).toBeGreaterThan(0);
    }
  });

  it("applies an operator's desired patch sent through either instance", async () => {
    for (const [i, id] of ids.entries()) {
      const via = instances[i % 2]!;
      const res = await httpRequest(via.url, 'PATCH', `/api/v1/twins/${id}/desired`, {
        headers: as(operator()),
        body: { setpoint: 100 + i },
      });
      expect(res.status).toBe(202);
    }
    await waitFor('the patches in every twin', async () => {
      for (const [i, id] of ids.entries()) {
        const res = await httpRequest(instances[(i + 1) % 2]!.url, 'GET', `/api/v1/twins/${id}`, {
          headers: as(viewer()),
        });
        const desired = (res.body as { data?: { desired?: Record<string, unknown> } }).data?.desired;
        if (desired?.setpoint !== 100 + i) return false;
      }
      return true;
    });
  });
});

describe('API authentication with an OIDC key set (AUTH_JWKS_URL, ES256)', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let jwksServer: Server;
  const key = ecKeys();
  const publicJwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'es-1', alg: 'ES256', use: 'sig' };
  const now = (): number => Math.floor(Date.now() / 1000);
  const token = (kid: string, privateKey = key.privateKey): string =>
    signJwt(
      claimsFor(now(), { roles: 'viewer' }, { issuer: ISSUER, audience: AUDIENCE }),
      'ES256',
      privateKey,
      {
        kid,
      },
    );
  // An endpoint that needs a viewer but no partition store, so only authentication decides.
  const health = (t: string): Promise<HttpAnswer> =>
    httpRequest(service.url, 'GET', '/api/v1/system/health', { headers: { authorization: `Bearer ${t}` } });

  beforeAll(async () => {
    // The provider's jwks_uri: a real HTTP server of the test's own.
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    d = deployment('api-auth-jwks', {
      AUTH_MODE: 'jwt',
      AUTH_JWT_ALGORITHM: 'ES256',
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/protocol/openid-connect/certs`,
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      AUTH_JWT_ROLE_CLAIM: 'roles',
    });
    service = await startService(d);
  });
  afterAll(async () => {
    await d?.cleanup();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  it('accepts a token signed with a published key and refuses others', async () => {
    expect((await health(token('es-1'))).status).toBe(200);
    const unknownKid = await health(token('es-9'));
    expect(unknownKid.status).toBe(401);
    expect(unknownKid.headers['www-authenticate']).toMatch(/names no key the issuer publishes/);
    expect((await health(token('es-1', ecKeys().privateKey))).status).toBe(401);
  });
});

describe('service start-up with authentication misconfigured', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it.each([
    [{ AUTH_MODE: 'static', AUTH_TOKENS: '' }, /AUTH_TOKENS is empty/],
    [
      { AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE },
      /AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL must be set/,
    ],
    [{ AUTH_MODE: 'jwt', AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: 'x'.repeat(40) }, /AUTH_JWT_ISSUER/],
  ])('refuses to start with %j and says why', async (env, message) => {
    d ??= deployment('api-auth-config');
    const proc = d.processes.spawn('api/main.js', { ...d.env, ...env, HTTP_PORT: '0' }, 'misconfigured');
    expect(await proc.exited).toBe(2);
    // Output may trail the exit event by a moment.
    await waitFor(`the reason ${message}`, () => message.test(proc.lines.join('\n')), { timeoutMs: 5000 });
  });
});
