import type { DesiredPatchRequest, StateInjection } from '../../../api/backend';
import { TwinfoldError } from '../../../shared/errors';
import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
  putTwin(api.backend, twinFixture('sensor-001'));
});
afterEach(() => api.close());

describe('GET /api/v1/twins/:id/state', () => {
  it('returns reported, desired, delta and metadata with the ETag', async () => {
    const res = await api.request('GET', '/api/v1/twins/sensor-001/state');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"17"');
    const twin = twinFixture('sensor-001');
    expect(data(res)).toEqual({
      reported: twin.reported,
      desired: twin.desired,
      delta: twin.delta,
      metadata: twin.metadata,
    });
  });

  it('answers 404 for an unknown twin', async () => {
    expect((await api.request('GET', '/api/v1/twins/nobody/state')).status).toBe(404);
  });
});

describe('PATCH /api/v1/twins/:id/desired', () => {
  it('merge-patches and answers 202 with the resulting version', async () => {
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: { interval: null, mode: 'eco' },
    });
    expect(res.status).toBe(202);
    const accepted = data<DesiredPatchRequest>(res);
    expect(accepted).toMatchObject({ id: 'sensor-001', patch: { interval: null, mode: 'eco' }, version: 18 });
    expect(accepted.ifVersion).toBeUndefined();
    const twin = await api.backend.getTwin('sensor-001');
    expect(twin).toMatchObject({ desired: { mode: 'eco' }, delta: { mode: 'eco' }, version: 18 });
  });

  it('accepts application/merge-patch+json', async () => {
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: { mode: 'eco' },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(res.status).toBe(202);
  });

  it('passes If-Match as ifVersion', async () => {
    const spy = jest.spyOn(api.backend, 'patchDesired');
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: { mode: 'eco' },
      headers: { 'If-Match': '"17"' },
    });
    expect(res.status).toBe(202);
    expect(spy).toHaveBeenCalledWith('sensor-001', { mode: 'eco' }, 17);
    expect(data<DesiredPatchRequest>(res)).toMatchObject({ ifVersion: 17, version: 18 });
  });

  it('treats If-Match: * as no version requirement', async () => {
    const spy = jest.spyOn(api.backend, 'patchDesired');
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: { mode: 'eco' },
      headers: { 'If-Match': '*' },
    });
    expect(res.status).toBe(202);
    expect(spy).toHaveBeenCalledWith('sensor-001', { mode: 'eco' }, undefined);
  });

  it('answers 412 VERSION_CONFLICT when the twin has moved on', async () => {
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: { mode: 'eco' },
      headers: { 'If-Match': '"16"' },
    });
    expect(res.status).toBe(412);
    expect(apiError(res)).toEqual({
      code: 'VERSION_CONFLICT',
      message: 'twin sensor-001 is at version 17, not 16',
    });
  });

  it.each(['W/"17"', '17', '"17", "18"', '"abc"', ''])('rejects If-Match %j with 400', async (ifMatch) => {
    const spy = jest.spyOn(api.backend, 'patchDesired');
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', {
      body: { mode: 'eco' },
      headers: { 'If-Match': ifMatch },
    });
    expect(res.status).toBe(400);
    expect(apiError(res)).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(/If-Match/),
    });
    expect(spy).not.toHaveBeenCalled();
  });

  it.each([
    ['an empty patch', {}, /must change at least one field/],
    ['an array', [1, 2], /must be a JSON object/],
    ['a string', '"text"', /must be a JSON object/],
  ])('rejects %s', async (_what, body, message) => {
    const res = await api.request('PATCH', '/api/v1/twins/sensor-001/desired', { body });
    expect(res.status).toBe(400);
    expect(apiError(res).message).toMatch(message);
  });

  it('answers 404 for an unknown twin', async () => {
    const res = await api.request('PATCH', '/api/v1/twins/nobody/desired', { body: { a: 1 } });
    expect(res.status).toBe(404);
  });
});

describe('PUT /api/v1/twins/:id/state', () => {
  it('injects reported state: 202, and the twin reflects it', async () => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001/state', {
      body: { temperature: 24, humidity: 68 },
    });
    expect(res.status).toBe(202);
    expect(data<StateInjection>(res)).toMatchObject({
      id: 'sensor-001',
      state: { temperature: 24, humidity: 68 },
    });
    expect((await api.backend.getTwin('sensor-001'))?.reported).toEqual({ temperature: 24, humidity: 68 });
  });

  it('requires the admin role', async () => {
    const auth = jest.fn((_req: unknown, access: string) => {
      if (access === 'admin') throw new TwinfoldError('FORBIDDEN', 'admin role required');
    });
    const guarded = await startTestApi({ auth });
    try {
      const res = await guarded.request('PUT', '/api/v1/twins/sensor-001/state', { body: { a: 1 } });
      expect(res.status).toBe(403);
      expect(apiError(res)).toEqual({ code: 'FORBIDDEN', message: 'admin role required' });
      expect(auth).toHaveBeenCalledWith(expect.anything(), 'admin');
    } finally {
      await guarded.close();
    }
  });
});
