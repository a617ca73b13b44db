import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
  putTwin(api.backend, twinFixture('sensor-001')); // version 17
});
afterEach(() => api.close());

describe('GET /twins/{id}?minVersion=', () => {
  it('answers once the twin has reached the version', async () => {
    const res = await api.request('GET', '/api/v1/twins/sensor-001?minVersion=17&waitMs=0');
    expect(res.status).toBe(200);
    expect(data<{ version: number }>(res).version).toBe(17);
  });

  it('answers 504 TIMEOUT when the version is not reached in time, even for a twin not there yet', async () => {
    for (const path of [
      '/api/v1/twins/sensor-001?minVersion=18&waitMs=0',
      '/api/v1/twins/other?minVersion=1&waitMs=0',
    ]) {
      const res = await api.request('GET', path);
      expect(res.status).toBe(504);
      expect(apiError(res)).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/not reached/) });
    }
  });

  it.each([
    ['waitMs=100', /waitMs needs minVersion/],
    ['minVersion=0', /minVersion must be/],
    ['minVersion=abc', /minVersion must be/],
    ['minVersion=3&waitMs=10001', /waitMs must be an integer between 0 and 10000/],
  ])('rejects %s', async (query, message) => {
    const res = await api.request('GET', `/api/v1/twins/sensor-001?${query}`);
    expect(res.status).toBe(400);
    expect(apiError(res).message).toMatch(message);
  });
});
