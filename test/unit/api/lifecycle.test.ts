import type { RegistryRequest } from '../../../api/backend';
import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
  putTwin(api.backend, twinFixture('sensor-001'));
});
afterEach(() => api.close());

describe('POST /api/v1/twins/:id/suspend and /resume', () => {
  it('suspends then resumes', async () => {
    const suspended = await api.request('POST', '/api/v1/twins/sensor-001/suspend');
    expect(suspended.status).toBe(202);
    expect(data<RegistryRequest>(suspended)).toMatchObject({ op: 'suspend', id: 'sensor-001' });
    expect((await api.backend.getTwin('sensor-001'))?.lifecycle).toBe('suspended');

    const resumed = await api.request('POST', '/api/v1/twins/sensor-001/resume');
    expect(resumed.status).toBe(202);
    expect(data<RegistryRequest>(resumed)).toMatchObject({ op: 'resume', id: 'sensor-001' });
    expect((await api.backend.getTwin('sensor-001'))?.lifecycle).toBe('active');
  });

  it('answers 409 LIFECYCLE_CONFLICT for a transition that is not allowed', async () => {
    const res = await api.request('POST', '/api/v1/twins/sensor-001/resume');
    expect(res.status).toBe(409);
    expect(apiError(res)).toEqual({
      code: 'LIFECYCLE_CONFLICT',
      message: 'cannot resume twin sensor-001: it is active',
    });
  });

  it('answers 404 for an unknown twin', async () => {
    expect((await api.request('POST', '/api/v1/twins/nobody/suspend')).status).toBe(404);
  });
});

describe('GET and PUT /api/v1/twins/:id/metadata', () => {
  it('reads the attributes', async () => {
    const res = await api.request('GET', '/api/v1/twins/sensor-001/metadata');
    expect(res.status).toBe(200);
    expect(data(res)).toEqual({ location: 'Room A', manufacturer: 'SensorCorp' });
  });

  it('replaces the attributes', async () => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001/metadata', {
      body: { location: 'Room B', floor: 1 },
    });
    expect(res.status).toBe(202);
    expect(data<RegistryRequest>(res)).toMatchObject({
      op: 'set-attributes',
      attributes: { location: 'Room B', floor: 1 },
    });
    expect((await api.backend.getTwin('sensor-001'))?.attributes).toEqual({ location: 'Room B', floor: 1 });
  });

  it.each([
    [{ a: [1] }, /request body.a must be a string, number or boolean/],
    [{ a: 'x'.repeat(1025) }, /at most 1024 characters/],
    [{ '': 'x' }, /key/],
  ])('rejects %j', async (body, message) => {
    const res = await api.request('PUT', '/api/v1/twins/sensor-001/metadata', { body });
    expect(res.status).toBe(400);
    expect(apiError(res).message).toMatch(message);
  });

  it('answers 404 for an unknown twin', async () => {
    expect((await api.request('GET', '/api/v1/twins/nobody/metadata')).status).toBe(404);
    expect((await api.request('PUT', '/api/v1/twins/nobody/metadata', { body: { a: 1 } })).status).toBe(404);
  });
});
