import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_CSP } from '../../../api/static';
import { startTestApi, type TestApi } from './harness';

describe('the dashboard served at /', () => {
  let dir: string;
  let api: TestApi | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinfold-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>twinfold</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  });

  afterEach(async () => {
    await api?.close();
    api = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, under a same-origin CSP', async () => {
    api = await startTestApi({ dashboardDir: dir });
    const res = await api.request('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('<title>twinfold</title>');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });

  it('serves the hashed assets as immutable', async () => {
    api = await startTestApi({ dashboardDir: dir });
    const res = await api.request('GET', '/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('sends brotli or gzip to a browser that accepts them, the bytes as they are otherwise', async () => {
    api = await startTestApi({ dashboardDir: dir });
    const br = await api.raw('GET', '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    const gzip = await api.raw('GET', '/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await api.raw('GET', '/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe('console.log(1)');
  });

  it('leaves the API and its 404s as they were', async () => {
    api = await startTestApi({ dashboardDir: dir });
    expect((await api.request('GET', '/api/v1/twins')).status).toBe(200);
    const missing = await api.request('GET', '/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const outside = await api.raw('GET', '/../package.json');
    expect(outside.status).toBe(404);
  });

  it('serves nothing at / without a build (or with dashboardDir null)', async () => {
    api = await startTestApi({ dashboardDir: null });
    expect((await api.request('GET', '/')).status).toBe(404);
    await api.close();
    api = await startTestApi({ dashboardDir: join(dir, 'absent') });
    expect((await api.request('GET', '/')).status).toBe(404);
  });
});
