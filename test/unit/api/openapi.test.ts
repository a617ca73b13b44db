import type { Application } from 'express';
import { Registry } from 'prom-client';
import { createApp } from '../../../api/app';
import { allowAll } from '../../../api/auth';
import { MemoryBackend } from '../../../api/memory-backend';
import { openApiPath } from '../../../api/route';
import { createLogger } from '../../../shared/logger';
import { startTestApi, type TestApi } from './harness';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

/** Every endpoint of docs/contract.md's REST table. */
const CONTRACT_ENDPOINTS = [
  'get /api/v1/twins',
  'post /api/v1/twins',
  'get /api/v1/twins/{id}',
  'put /api/v1/twins/{id}',
  'delete /api/v1/twins/{id}',
  'get /api/v1/twins/{id}/state',
  'patch /api/v1/twins/{id}/desired',
  'put /api/v1/twins/{id}/state',
  'post /api/v1/twins/{id}/command',
  'get /api/v1/twins/{id}/commands',
  'get /api/v1/twins/{id}/commands/{cid}',
  'get /api/v1/twins/{id}/metadata',
  'put /api/v1/twins/{id}/metadata',
  'post /api/v1/twins/{id}/suspend',
  'post /api/v1/twins/{id}/decommission',
  'post /api/v1/twins/{id}/resume',
  'get /api/v1/devices',
  'get /api/v1/devices/{id}',
  'get /api/v1/devices/{id}/health',
  'get /api/v1/twins/{id}/events',
  'get /api/v1/events',
  'get /api/v1/system/health',
  'get /api/v1/system/instances',
  'get /api/v1/system/metrics',
  'get /healthz',
  'get /readyz',
  'get /metrics',
  'get /api/v1/openapi.json',
  'get /api/v1/twins/{id}/telemetry',
  'get /api/v1/twins/{id}/telemetry/aggregate',
  'get /api/v1/twins/{id}/history',
  'get /api/v1/twins/{id}/changes',
  'get /api/v1/twins/aggregate',
  // Traits, alerts and rules.
  'get /api/v1/twins/{id}/traits',
  'get /api/v1/health',
  'get /api/v1/alerts',
  'get /api/v1/compare',
  'get /api/v1/datasets/behaviour',
  'get /api/v1/types',
  'get /api/v1/types/{type}/profile',
  'put /api/v1/types/{type}/profile',
  'get /api/v1/rules',
  'post /api/v1/rules',
  'get /api/v1/rules/{rule}',
  'put /api/v1/rules/{rule}',
  'delete /api/v1/rules/{rule}',
  'get /api/v1/rules/{rule}/firings',
];

function documented(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** What Express actually serves, read from its router (and routers mounted in it). */
function served(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = openApiPath(layer.route.path);
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m} ${path}`);
    }
    return layer.handle?.stack ? served(layer.handle.stack) : [];
  });
}

function routerStack(app: Application): Layer[] {
  return (app as unknown as { router: { stack: Layer[] } }).router.stack;
}

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(() => api.close());

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document listing exactly the contract endpoints', async () => {
    const res = await api.request('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = res.body as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    expect(documented(doc).sort()).toEqual([...CONTRACT_ENDPOINTS].sort());
  });

  it('documents what Express serves, route for route', async () => {
    const app = createApp({
      backend: new MemoryBackend(),
      logger: createLogger({ write: () => undefined }),
      metricsRegistry: new Registry(),
      maxBodyBytes: 1024,
      auth: allowAll,
    });
    const doc = (await api.request('GET', '/api/v1/openapi.json')).body as OpenApiDoc;
    const routes = served(routerStack(app));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.sort()).toEqual(documented(doc).sort());
  });

  it('gives every operation an id, a success response and resolvable schema references', async () => {
    const doc = (await api.request('GET', '/api/v1/openapi.json')).body as OpenApiDoc;
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    for (const name of refs) expect(doc.components.schemas).toHaveProperty(name);
  });

  it('documents the error responses a route can give', async () => {
    const doc = (await api.request('GET', '/api/v1/openapi.json')).body as OpenApiDoc;
    const patch = doc.paths['/api/v1/twins/{id}/desired']!.patch!;
    expect(Object.keys(patch.responses).sort()).toEqual([
      '202',
      '400',
      '401',
      '403',
      '404',
      '409',
      '412',
      '413',
      '415',
      '500',
      '503',
      '504',
    ]);
  });
});
