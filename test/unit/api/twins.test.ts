import type { RegistryRequest } from '../../../api/backend';
import type { TwinDocument } from '../../../api/twin-document';
import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

interface TwinList {
  count: number;
  twins: TwinDocument[];
  nextCursor: string | null;
}

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(() => api.close());

describe('GET /api/v1/twins', () => {
  beforeEach(() => {
    putTwin(api.backend, twinFixture('sensor-001'));
    putTwin(
      api.backend,
      twinFixture('sensor-002', { connection: { status: 'offline', since: null, lastSeen: null } }),
    );
    putTwin(
      api.backend,
      twinFixture('light-001', { type: 'light', attributes: { location: 'Room B', floor: 2 } }),
    );
    putTwin(api.backend, twinFixture('pump-001', { lifecycle: 'suspended' }));
  });

  it('lists every twin in the success envelope with count and nextCursor', async () => {
    const res = await api.request('GET', '/api/v1/twins');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = res.body as { status: string; timestamp: string };
    expect(body.status).toBe('success');
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    const list = data<TwinList>(res);
    expect(list.count).toBe(4);
    expect(list.twins.map((t) => t.id)).toEqual(['light-001', 'pump-001', 'sensor-001', 'sensor-002']);
    expect(list.nextCursor).toBeNull();
  });

  it.each([
    ['type=light', ['light-001']],
    ['status=offline', ['sensor-002']],
    ['lifecycle=suspended', ['pump-001']],
    ['attr.location=Room%20B', ['light-001']],
    ['attr.floor=2', ['light-001']],
    ['type=temperature_sensor&status=online&attr.manufacturer=SensorCorp', ['pump-001', 'sensor-001']],
  ])('filters by %s', async (query, ids) => {
    const list = data<TwinList>(await api.request('GET', `/api/v1/twins?${query}`));
    expect(list.twins.map((t) => t.id)).toEqual(ids);
  });

  it('pages with limit and the opaque cursor', async () => {
    const first = data<TwinList>(await api.request('GET', '/api/v1/twins?limit=3'));
    expect(first.count).toBe(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = data<TwinList>(
      await api.request('GET', `/api/v1/twins?limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`),
    );
    expect(second.twins.map((t) => t.id)).toEqual(['sensor-002']);
    expect(second.nextCursor).toBeNull();
  });

  it.each([
    ['limit=0', /limit must be an integer between 1 and 1000/],
    ['limit=1001', /limit/],
    ['limit=abc', /limit/],
    ['limit=1.5', /limit/],
    ['status=sleeping', /status must be one of online, offline, unknown/],
    ['lifecycle=gone', /lifecycle must be one of/],
    ['cursor=', /cursor/],
    ['cursor=!!', /cursor is not valid/],
    ['offset=10', /unknown query parameter "offset"/],
    ['limit=1&limit=2', /limit must be given once/],
    ['attr.=x', /unknown query parameter/],
    ['attr.__proto__=x', /not allowed/],
  ])('rejects %s with 400 VALIDATION_ERROR', async (query, message) => {
    const res = await api.request('GET', `/api/v1/twins?${query}`);
    expect(res.status).toBe(400);
    const error = apiError(res);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toMatch(message);
  });
});

describe('POST /api/v1/twins', () => {
  it('registers a twin: 202 with the registry request and a Location', async () => {
    const res = await api.request('POST', '/api/v1/twins', {
      body: {
        id: 'sensor-009',
        type: 'temperature_sensor',
        attributes: { location: 'Lab', floor: 3, indoor: true },
      },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe('/api/v1/twins/sensor-009');
    const request = data<RegistryRequest>(res);
    expect(request).toMatchObject({ op: 'create', id: 'sensor-009', type: 'temperature_sensor' });
    expect(request.attributes).toEqual({ location: 'Lab', floor: 3, indoor: true });
    expect((await api.backend.getTwin('sensor-009'))?.type).toBe('temperature_sensor');
  });

  it('defaults attributes to an empty map', async () => {
    const res = await api.request('POST', '/api/v1/twins', { body: { id: 'x1', type: 't' } });
    expect(res.status).toBe(202);
    expect((await api.backend.getTwin('x1'))?.attributes).toEqual({});
  });

  it('answers 409 ALREADY_EXISTS for an existing id', async () => {
    putTwin(api.backend, twinFixture('sensor-001'));
    const res = await api.request('POST', '/api/v1/twins', { body: { id: 'sensor-001', type: 't' } });
    expect(res.status).toBe(409);
    expect(apiError(res).code).toBe('ALREADY_EXISTS');
  });

  it.each([
    [{ type: 't' }, 'INVALID_ID', /invalid device id/],
    [{ id: '../etc', type: 't' }, 'INVALID_ID', /invalid device id/],
    [{ id: 'ok', type: '' }, 'VALIDATION_ERROR', /type must be a non-empty string/],
    [{ id: 'ok', type: 42 }, 'VALIDATION_ERROR', /type/],
    [{ id: 'ok', type: 'a\nb' }, 'VALIDATION_ERROR', /without control characters/],
    [{ id: 'ok', type: 't', attributes: [] }, 'VALIDATION_ERROR', /attributes must be a JSON object/],
    [
      { id: 'ok', type: 't', attributes: { a: { nested: 1 } } },
      'VALIDATION_ERROR',
      /attributes.a must be a string/,
    ],
    [{ id: 'ok', type: 't', attributes: { a: null } }, 'VALIDATION_ERROR', /attributes.a/],
    [{ id: 'ok', type: 't', metadata: {} }, 'VALIDATION_ERROR', /unknown field\(s\) metadata/],
  ])('rejects %j', async (body, code, message) => {
    const res = await api.request('POST', '/api/v1/twins', { body });
    expect(res.status).toBe(400);
    const error = apiError(res);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe('GET /api/v1/twins/:id', () => {
  it('returns the twin document with ETag "<version>"', async () => {
    putTwin(api.backend, twinFixture('sensor-001'));
    const res = await api.request('GET', '/api/v1/twins/sensor-001');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"17"');
    expect(data<TwinDocument>(res)).toEqual(twinFixture('sensor-001'));
  });

  it('answers 304 to If-None-Match with the current version', async () => {
    putTwin(api.backend, twinFixture('sensor-001'));
    const res = await api.raw('GET', '/api/v1/twins/sensor-001', { 'If-None-Match': '"17"' });
    expect(res.status).toBe(304);
    expect(res.text).toBe('');
    const changed = await api.raw('GET', '/api/v1/twins/sensor-001', { 'If-None-Match': '"16"' });
    expect(changed.status).toBe(200);
  });

  it('accepts ids with dots, colons and dashes', async () => {
    putTwin(api.backend, twinFixture('site:a.b-c_d'));
    const res = await api.request('GET', '/api/v1/twins/site:a.b-c_d');
    expect(res.status).toBe(200);
  });

  it('answers 404 TWIN_NOT_FOUND', async () => {
    const res = await api.request('GET', '/api/v1/twins/nobody');
    expect(res.status).toBe(404);
    expect(apiError(res)).toEqual({ code: 'TWIN_NOT_FOUND', message: 'twin nobody not found' });
  });
});

describe('PUT /api/v1/twins/:id', () => {
  beforeEach(() => putTwin(api.backend, twinFixture('sensor-001')));

  it('updates type and replaces attributes', async () => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001', {
      body: { type: 'humidity_sensor', attributes: { location: 'Room C' } },
    });
    expect(res.status).toBe(202);
    expect(data<RegistryRequest>(res)).toMatchObject({
      op: 'update',
      id: 'sensor-001',
      type: 'humidity_sensor',
    });
    const twin = await api.backend.getTwin('sensor-001');
    expect(twin).toMatchObject({ type: 'humidity_sensor', attributes: { location: 'Room C' }, version: 18 });
  });

  it('requires type or attributes', async () => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001', { body: {} });
    expect(res.status).toBe(400);
    expect(apiError(res).message).toMatch(/type and\/or attributes/);
  });

  it('answers 404 for an unknown twin', async () => {
    const res = await api.request('PUT', '/api/v1/twins/nobody', { body: { type: 'x' } });
    expect(res.status).toBe(404);
    expect(apiError(res).code).toBe('TWIN_NOT_FOUND');
  });
});

describe('DELETE /api/v1/twins/:id', () => {
  it('deletes: 202 with the delete request, then 404', async () => {
    putTwin(api.backend, twinFixture('sensor-001'));
    const res = await api.request('DELETE', '/api/v1/twins/sensor-001');
    expect(res.status).toBe(202);
    expect(data<RegistryRequest>(res)).toMatchObject({ op: 'delete', id: 'sensor-001' });
    expect((await api.request('GET', '/api/v1/twins/sensor-001')).status).toBe(404);
  });

  it('answers 404 for an unknown twin', async () => {
    expect((await api.request('DELETE', '/api/v1/twins/nobody')).status).toBe(404);
  });
});
