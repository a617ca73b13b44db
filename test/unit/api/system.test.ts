import { Registry } from 'prom-client';
import { HTTP_DURATION_METRIC } from '../../../api/metrics';
import { MemoryBackend } from '../../../api/memory-backend';
import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(() => api.close());

describe('probes', () => {
  it('GET /healthz answers 200 while the process lives, even when not ready', async () => {
    api.backend.setReadiness({ ready: false, status: 'restoring' });
    const res = await api.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(data(res)).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 with the readiness when ready', async () => {
    const res = await api.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(data(res)).toEqual({ ready: true, status: 'running' });
  });

  it('GET /readyz answers 503 NOT_READY with Retry-After when not ready', async () => {
    api.backend.setReadiness({ ready: false, status: 'restoring', retryAfterSeconds: 2 });
    const res = await api.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(apiError(res)).toEqual({ code: 'NOT_READY', message: 'not ready: restoring' });
  });

  it('defaults Retry-After to 5 seconds', async () => {
    api.backend.setReadiness({ ready: false, status: 'rebalancing' });
    const res = await api.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});

describe('GET /metrics', () => {
  it('exposes the latency histogram labelled by route pattern, not raw path', async () => {
    putTwin(api.backend, twinFixture('sensor-001'));
    await api.request('GET', '/api/v1/twins/sensor-001');
    await api.request('GET', '/api/v1/twins/nobody');
    await api.request('GET', '/no/such/route');
    const res = await api.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain(`# TYPE ${HTTP_DURATION_METRIC} histogram`);
    expect(res.text).toMatch(
      /twinfold_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/twins\/:id",status="200"\} 1/,
    );
    expect(res.text).toMatch(/route="\/api\/v1\/twins\/:id",status="404"\} 1/);
    expect(res.text).toMatch(/route="unmatched",status="404"\} 1/);
    expect(res.text).not.toContain('sensor-001');
    expect(res.text).not.toContain('/no/such/route');
  });

  it('lets two apps share one registry', async () => {
    const registry = new Registry();
    const a = await startTestApi({ metricsRegistry: registry });
    const b = await startTestApi({ metricsRegistry: registry, backend: new MemoryBackend() });
    try {
      await a.request('GET', '/healthz');
      await b.request('GET', '/healthz');
      expect(await registry.metrics()).toMatch(/route="\/healthz",status="200"\} 2/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('/api/v1/system', () => {
  it('GET /system/health reports readiness and uptime', async () => {
    const health = data<{ status: string; uptimeSeconds: number; readiness: unknown }>(
      await api.request('GET', '/api/v1/system/health'),
    );
    expect(health.status).toBe('ok');
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(health.readiness).toEqual({ ready: true, status: 'running' });
    api.backend.setReadiness({ ready: false, status: 'restoring' });
    expect(data<{ status: string }>(await api.request('GET', '/api/v1/system/health')).status).toBe(
      'not_ready',
    );
  });

  it('GET /system/metrics summarises the registry as JSON', async () => {
    await api.request('GET', '/healthz');
    const summary = data<{ metrics: { name: string; values: { metricName?: string }[] }[] }>(
      await api.request('GET', '/api/v1/system/metrics'),
    );
    const http = summary.metrics.find((m) => m.name === HTTP_DURATION_METRIC);
    expect(http).toBeDefined();
    const names = new Set(http?.values.map((v) => v.metricName));
    expect(names).toEqual(new Set([`${HTTP_DURATION_METRIC}_sum`, `${HTTP_DURATION_METRIC}_count`]));
  });
});
