import { bearerAuth } from '../../../../api/auth/bearer';
import { jwtKey } from '../../../../api/auth/jwt-key';
import { jwtVerifier } from '../../../../api/auth/jwt-role';
import { staticTokenVerifier } from '../../../../api/auth/static-tokens';
import { parseStaticTokens } from '../../../../shared/auth-config';
import { claimsFor, signJwt } from '../../../support/jwt';
import { apiError, startTestApi, putTwin, twinFixture, type TestApi } from '../harness';

const TOKENS = {
  viewer: 'viewer-token-0000000001',
  operator: 'operator-token-00000001',
  admin: 'admin-token-00000000001',
};
const ROLE_ORDER = ['viewer', 'operator', 'admin'] as const;
const NEEDS = { read: 'viewer', write: 'operator', admin: 'admin' } as const;

interface Operation {
  method: string;
  path: string;
  access: keyof typeof NEEDS | undefined;
}

let api: TestApi;
let operations: Operation[];
beforeAll(async () => {
  const tokens = parseStaticTokens(
    Object.entries(TOKENS)
      .map(([role, t]) => `${t}:${role}`)
      .join(','),
  );
  api = await startTestApi({ auth: bearerAuth(staticTokenVerifier(tokens)) });
  putTwin(api.backend, twinFixture('sensor-001'));
  const doc = (await api.request('GET', '/api/v1/openapi.json')).body as {
    paths: Record<string, Record<string, { 'x-twinfold-access'?: Operation['access'] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path: path.replace('{id}', 'sensor-001').replace('{cid}', 'c-1'),
      access: op['x-twinfold-access'],
    })),
  );
});
afterAll(() => api.close());

const call = (op: Operation, token?: string) =>
  api.request(op.method, op.path, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { body: {} } : {}),
  });

describe('role matrix over every route of the table', () => {
  it('keeps probes, metrics and the OpenAPI document public', async () => {
    const publicOps = operations.filter((op) => op.access === undefined).map((op) => op.path);
    expect(publicOps.sort()).toEqual(['/api/v1/openapi.json', '/healthz', '/metrics', '/readyz']);
    for (const op of operations.filter((o) => o.access === undefined)) {
      expect([401, 403]).not.toContain((await call(op)).status);
    }
  });

  it('answers 401 with a Bearer challenge without a token or with an unknown one', async () => {
    for (const op of operations.filter((o) => o.access !== undefined)) {
      for (const token of [undefined, 'not-a-configured-token']) {
        const res = await call(op, token);
        expect({ op: `${op.method} ${op.path}`, status: res.status }).toEqual({
          op: `${op.method} ${op.path}`,
          status: 401,
        });
        expect(apiError(res).code).toBe('UNAUTHORIZED');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="twinfold"/);
      }
    }
  });

  it('lets each role through exactly the routes its level allows, 403 for the rest', async () => {
    for (const op of operations.filter((o) => o.access !== undefined)) {
      const needed = ROLE_ORDER.indexOf(NEEDS[op.access!]);
      for (const role of ROLE_ORDER) {
        const res = await call(op, TOKENS[role]);
        const allowed = ROLE_ORDER.indexOf(role) >= needed;
        const outcome = allowed ? ![401, 403].includes(res.status) : res.status === 403;
        expect({ op: `${op.method} ${op.path}`, role, status: res.status, outcome }).toMatchObject({
          outcome: true,
        });
        if (!allowed) {
          expect(apiError(res).code).toBe('FORBIDDEN');
          expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
        }
      }
    }
  });

  it('gives the contract roles: viewer reads, operator steers, admin runs the registry', async () => {
    putTwin(api.backend, twinFixture('sensor-001')); // the matrix above deleted it
    const patch = { body: { interval: 5 } };
    const as = (role: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[role]}` });
    expect((await api.request('GET', '/api/v1/twins/sensor-001', { headers: as('viewer') })).status).toBe(
      200,
    );
    expect(
      (await api.request('PATCH', '/api/v1/twins/sensor-001/desired', { ...patch, headers: as('viewer') }))
        .status,
    ).toBe(403);
    expect(
      (await api.request('PATCH', '/api/v1/twins/sensor-001/desired', { ...patch, headers: as('operator') }))
        .status,
    ).toBe(202);
    const command = { body: { action: 'reboot' } };
    expect(
      (await api.request('POST', '/api/v1/twins/sensor-001/command', { ...command, headers: as('operator') }))
        .status,
    ).toBe(202);
    const register = { body: { id: 'sensor-002', type: 't' } };
    expect(
      (await api.request('POST', '/api/v1/twins', { ...register, headers: as('operator') })).status,
    ).toBe(403);
    expect((await api.request('POST', '/api/v1/twins', { ...register, headers: as('admin') })).status).toBe(
      202,
    );
    const inject = { body: { temperature: 1 } };
    expect(
      (await api.request('PUT', '/api/v1/twins/sensor-001/state', { ...inject, headers: as('operator') }))
        .status,
    ).toBe(403);
    expect(
      (await api.request('PUT', '/api/v1/twins/sensor-001/state', { ...inject, headers: as('admin') }))
        .status,
    ).toBe(202);
  });

  it('rejects malformed Authorization headers with 401 invalid_request', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', `Bearer ${'x'.repeat(9000)}`]) {
      const res = await api.request('GET', '/api/v1/twins', { headers: { authorization: header } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    }
    const lower = await api.request('GET', '/api/v1/twins', {
      headers: { authorization: `bearer ${TOKENS.viewer}` },
    });
    expect(lower.status).toBe(200);
  });
});

describe('JWT bearer auth on routes', () => {
  const secret = 'a-shared-secret-of-at-least-32-bytes!!';
  let jwtApi: TestApi;
  beforeAll(async () => {
    const policy = {
      algorithm: 'HS256' as const,
      key: jwtKey('HS256', secret),
      issuer: 'https://issuer.test',
      audience: 'twinfold',
      clockSkewSeconds: 30,
    };
    jwtApi = await startTestApi({ auth: bearerAuth(jwtVerifier(policy, 'role')) });
    putTwin(jwtApi.backend, twinFixture('sensor-001'));
  });
  afterAll(() => jwtApi.close());

  const now = (): number => Math.floor(Date.now() / 1000);
  const get = (token: string) =>
    jwtApi.request('GET', '/api/v1/twins/sensor-001', { headers: { authorization: `Bearer ${token}` } });

  it('serves a viewer token, refuses an expired one (401) and one without a role (403)', async () => {
    expect((await get(signJwt(claimsFor(now(), { role: 'viewer' }), 'HS256', secret))).status).toBe(200);
    const expired = await get(
      signJwt(claimsFor(now(), { role: 'admin', exp: now() - 120 }), 'HS256', secret),
    );
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(
      /error="invalid_token", error_description="the token has expired"/,
    );
    expect((await get(signJwt(claimsFor(now()), 'HS256', secret))).status).toBe(403);
  });
});
