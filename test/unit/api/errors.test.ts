import type { AuthRequest } from '../../../api/auth';
import { TwinfoldError } from '../../../shared/errors';
import { apiError, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
  putTwin(api.backend, twinFixture('sensor-001'));
});
afterEach(() => api.close());

describe('error envelope', () => {
  it('has status, error {code, message} and an ISO timestamp, nothing else', async () => {
    const res = await api.request('GET', '/api/v1/twins/nobody');
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'status', 'timestamp']);
    expect(body.status).toBe('error');
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    expect(Object.keys(body.error as object).sort()).toEqual(['code', 'message']);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    ['GET', '/api/v2/twins'],
    ['GET', '/nothing'],
    ['POST', '/api/v1/twins/sensor-001'],
    ['GET', '/api/v1/twins/sensor-001/telemetry/raw'],
  ])('answers 404 NOT_FOUND for %s %s', async (method, path) => {
    const res = await api.request(method, path);
    expect(res.status).toBe(404);
    expect(apiError(res).code).toBe('NOT_FOUND');
  });
});

describe('device ids in paths', () => {
  it.each([
    ['a%2Fb', 'INVALID_ID'],
    ['-leading-dash', 'INVALID_ID'],
    ['a%20b', 'INVALID_ID'],
    ['x'.repeat(129), 'INVALID_ID'],
    ['%E2%82%AC', 'INVALID_ID'],
    ['%zz', 'VALIDATION_ERROR'],
  ])('rejects %s with 400', async (id, code) => {
    for (const path of [`/api/v1/twins/${id}`, `/api/v1/twins/${id}/state`, `/api/v1/devices/${id}/health`]) {
      const res = await api.request('GET', path);
      expect(res.status).toBe(400);
      expect(apiError(res).code).toBe(code);
    }
  });

  it.each(['..', '%2E%2E', '.%2e'])('rejects the dot-segment %s sent verbatim', async (id) => {
    const res = await api.raw('GET', `/api/v1/twins/${id}/state`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'error', error: { code: 'INVALID_ID' } });
  });

  it('validates the id before calling the backend', async () => {
    const spy = jest.spyOn(api.backend, 'deleteTwin');
    expect((await api.request('DELETE', '/api/v1/twins/a%2Fb')).status).toBe(400);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('request bodies', () => {
  it('answers 400 MALFORMED_JSON for invalid JSON', async () => {
    const res = await api.request('POST', '/api/v1/twins', { body: '{"id": "x", ' });
    expect(res.status).toBe(400);
    expect(apiError(res)).toMatchObject({ code: 'MALFORMED_JSON', message: expect.stringMatching(/JSON/) });
  });

  it('answers 400 MALFORMED_JSON for invalid UTF-8', async () => {
    const res = await fetch(`${api.url}/api/v1/twins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_JSON');
  });

  it('answers 413 PAYLOAD_TOO_LARGE above maxBodyBytes', async () => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001/state', {
      body: { blob: 'x'.repeat(5000) },
    });
    expect(res.status).toBe(413);
    expect(apiError(res)).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'request body exceeds the limit of 4096 bytes',
    });
  });

  it('answers 400 LIMIT_EXCEEDED for hostile nesting and key counts', async () => {
    const deep = await api.request('PUT', '/api/v1/twins/sensor-001/state', {
      body: `{"a":${'['.repeat(40)}${']'.repeat(40)}}`,
    });
    expect(deep.status).toBe(400);
    expect(apiError(deep).code).toBe('LIMIT_EXCEEDED');
    const small = await startTestApi({ maxJsonKeys: 3 });
    try {
      putTwin(small.backend, twinFixture('sensor-001'));
      const many = await small.request('PUT', '/api/v1/twins/sensor-001/state', {
        body: { a: 1, b: 2, c: 3, d: 4 },
      });
      expect(many.status).toBe(400);
      expect(apiError(many).code).toBe('LIMIT_EXCEEDED');
    } finally {
      await small.close();
    }
  });

  it.each([
    ['a JSON array', '[1]', 'application/json'],
    ['a JSON number', '42', 'application/json'],
    ['JSON null', 'null', 'application/json'],
  ])('answers 400 VALIDATION_ERROR for %s', async (_what, body, contentType) => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001/state', {
      body,
      headers: { 'content-type': contentType },
    });
    expect(res.status).toBe(400);
    expect(apiError(res)).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(/must be a JSON object/),
    });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE for a %s body', async (_what, contentType) => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001/state', {
      body: '{"a":1}',
      headers: { 'content-type': contentType },
    });
    expect(res.status).toBe(415);
    expect(apiError(res)).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining(contentType),
    });
  });

  it('accepts JSON with parameters and the +json types', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await api.request('PUT', '/api/v1/twins/sensor-001/state', {
        body: '{"a":1}',
        headers: { 'content-type': type },
      });
      expect({ type, status: res.status }).not.toEqual({ type, status: 415 });
    }
  });

  it('answers 400 when the body is missing', async () => {
    const res = await api.request('POST', '/api/v1/twins');
    expect(res.status).toBe(400);
    expect(apiError(res).message).toMatch(/request body must be a JSON object/);
  });
});

describe('prototype pollution', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('drops __proto__, constructor and prototype keys at every level', async () => {
    const body =
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
      '"mode":{"__proto__":{"polluted":"yes"},"level":"eco"}}';
    const spy = jest.spyOn(api.backend, 'patchDesired');
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', { body });
    expect(res.status).toBe(202);
    expect(spy).toHaveBeenCalledWith('sensor-001', { mode: { level: 'eco' } }, undefined);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const twin = await api.backend.getTwin('sensor-001');
    expect(twin?.desired).toEqual({ interval: 10, mode: { level: 'eco' } });
    expect(Object.hasOwn(twin?.desired.mode as object, '__proto__')).toBe(false);
  });

  it('leaves nothing to apply when only forbidden keys were sent', async () => {
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: '{"__proto__":{"polluted":1}}',
    });
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps attributes and command parameters clean', async () => {
    const register = await api.request('POST', '/api/v1/twins', {
      body: '{"id":"p1","type":"t","attributes":{"__proto__":{"polluted":"yes"},"ok":"1"}}',
    });
    expect(register.status).toBe(202);
    const command = await api.request('POST', '/api/v1/twins/p1/command', {
      body: '{"action":"x","parameters":{"constructor":{"prototype":{"polluted":"yes"}}}}',
    });
    expect(command.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await api.backend.getTwin('p1'))?.attributes).toEqual({ ok: '1' });
  });
});

describe('errors from the backend', () => {
  it('maps VERSION_CONFLICT to 412 and LIFECYCLE_CONFLICT to 409', async () => {
    jest
      .spyOn(api.backend, 'patchDesired')
      .mockRejectedValueOnce(new TwinfoldError('VERSION_CONFLICT', 'moved on'));
    const conflict = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', { body: { a: 1 } });
    expect(conflict.status).toBe(412);
    expect(apiError(conflict)).toEqual({ code: 'VERSION_CONFLICT', message: 'moved on' });

    jest
      .spyOn(api.backend, 'setLifecycle')
      .mockRejectedValueOnce(new TwinfoldError('LIFECYCLE_CONFLICT', 'decommissioned'));
    const lifecycle = await api.request('POST', '/api/v1/twins/sensor-001/suspend');
    expect(lifecycle.status).toBe(409);
  });

  it('maps NOT_READY to 503 with Retry-After from the error or the default', async () => {
    const spy = jest.spyOn(api.backend, 'getTwin');
    spy.mockRejectedValueOnce(
      new TwinfoldError('NOT_READY', 'partition 3 restoring', { details: { retryAfterSeconds: 3 } }),
    );
    const hinted = await api.request('GET', '/api/v1/twins/sensor-001');
    expect(hinted.status).toBe(503);
    expect(hinted.headers.get('retry-after')).toBe('3');
    expect(apiError(hinted)).toEqual({ code: 'NOT_READY', message: 'partition 3 restoring' });

    spy.mockRejectedValueOnce(new TwinfoldError('NOT_READY', 'rebalancing'));
    const plain = await api.request('GET', '/api/v1/twins/sensor-001');
    expect(plain.status).toBe(503);
    expect(plain.headers.get('retry-after')).toBe('5');
  });

  it('answers 500 INTERNAL for unknown errors without leaking message or stack, and logs them', async () => {
    jest.spyOn(api.backend, 'listTwins').mockRejectedValueOnce(new Error('connection to 10.0.0.7 refused'));
    const res = await api.request('GET', '/api/v1/twins');
    expect(res.status).toBe(500);
    expect(apiError(res)).toEqual({ code: 'INTERNAL', message: 'internal server error' });
    expect(res.text).not.toContain('10.0.0.7');
    expect(res.text).not.toContain('at ');
    const logged = api.logs.map(
      (l) => JSON.parse(l) as { level: string; route?: string; error?: { stack?: string } },
    );
    const entry = logged.find((l) => l.level === 'error');
    expect(entry?.route).toBe('/api/v1/twins');
    expect(entry?.error?.stack).toContain('10.0.0.7');
  });

  it('catches synchronous throws too', async () => {
    jest.spyOn(api.backend, 'readiness').mockImplementation(() => {
      throw new TypeError('boom');
    });
    const res = await api.request('GET', '/readyz');
    expect(res.status).toBe(500);
    expect(apiError(res).code).toBe('INTERNAL');
  });
});

describe('auth seam', () => {
  it('lets the harness allow everything (allowAll)', async () => {
    expect((await api.request('GET', '/api/v1/twins')).status).toBe(200);
  });

  it('passes the access level of each route and maps UNAUTHORIZED / FORBIDDEN', async () => {
    const seen: string[] = [];
    const auth = (req: AuthRequest, access: string): void => {
      seen.push(`${req.method} ${access}`);
      if (req.get('authorization') === undefined)
        throw new TwinfoldError('UNAUTHORIZED', 'bearer token required');
      if (access !== 'read') throw new TwinfoldError('FORBIDDEN', 'read-only token');
    };
    const guarded = await startTestApi({ auth });
    try {
      const anonymous = await guarded.request('GET', '/api/v1/twins');
      expect(anonymous.status).toBe(401);
      expect(apiError(anonymous).code).toBe('UNAUTHORIZED');
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="twinfold"');
      const headers = { authorization: 'Bearer x' };
      expect((await guarded.request('GET', '/api/v1/twins', { headers })).status).toBe(200);
      const write = await guarded.request('POST', '/api/v1/twins', { headers, body: { id: 'a', type: 't' } });
      expect(write.status).toBe(403);
      expect((await guarded.request('GET', '/healthz')).status).toBe(200);
      expect((await guarded.request('GET', '/metrics')).status).toBe(200);
      expect((await guarded.request('GET', '/api/v1/openapi.json')).status).toBe(200);
      expect(seen).toEqual(['GET read', 'GET read', 'POST admin']);
    } finally {
      await guarded.close();
    }
  });

  it('runs before validation, so unauthenticated callers learn nothing', async () => {
    const guarded = await startTestApi({
      auth: () => {
        throw new TwinfoldError('UNAUTHORIZED', 'no');
      },
    });
    try {
      expect((await guarded.request('GET', '/api/v1/twins/a%2Fb')).status).toBe(401);
      expect((await guarded.request('POST', '/api/v1/twins', { body: '{bad' })).status).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});
