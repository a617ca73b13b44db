import type { Registry } from 'prom-client';
import { TwinfoldError } from '../../shared/errors';
import type { JsonObject } from '../json';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { API_PREFIX, type RouteDeps } from './common';

export interface SystemDeps extends RouteDeps {
  registry: Registry;
  startedAt: Date;
  /** The OpenAPI document of the whole route table (built once, lazily). */
  openApi: () => JsonObject;
}

function uptimeSeconds(deps: SystemDeps): number {
  return (deps.now().getTime() - deps.startedAt.getTime()) / 1000;
}

export interface MetricSummary {
  name: string;
  type: string;
  help: string;
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

/** Histograms and summaries are reduced to their _count and _sum series: a summary, not a dump. */
async function metricsSummary(registry: Registry): Promise<MetricSummary[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((m) => ({
    name: m.name,
    type: String(m.type),
    help: m.help,
    values: m.values.flatMap((v) => {
      const metricName = (v as { metricName?: string }).metricName;
      if (metricName !== undefined && !metricName.endsWith('_count') && !metricName.endsWith('_sum'))
        return [];
      const labels: Record<string, string | number> = {};
      for (const [k, l] of Object.entries(v.labels)) if (l !== undefined) labels[k] = l;
      return [metricName === undefined ? { labels, value: v.value } : { metricName, labels, value: v.value }];
    }),
  }));
}

/** Probes, Prometheus, the OpenAPI document and the /system views. */
export function systemRoutes(deps: SystemDeps): RouteSpec[] {
  const { backend, registry } = deps;
  return [
    {
      method: 'get',
      path: '/healthz',
      operationId: 'liveness',
      tag: 'system',
      summary: 'Liveness: 200 while the process serves HTTP',
      access: 'public',
      response: { status: 200, description: 'Alive', schema: ref('Liveness') },
      async handle() {
        return { data: { status: 'ok' } };
      },
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      tag: 'system',
      summary: 'Readiness: 200 once joined and every owned store is restored, else 503',
      access: 'public',
      response: { status: 200, description: 'Ready', schema: ref('Readiness') },
      errors: ['NOT_READY'],
      async handle() {
        const readiness = backend.readiness();
        if (!readiness.ready) {
          const details =
            readiness.retryAfterSeconds === undefined
              ? {}
              : { retryAfterSeconds: readiness.retryAfterSeconds };
          throw new TwinfoldError('NOT_READY', `not ready: ${readiness.status}`, {
            retriable: true,
            details,
          });
        }
        return { data: readiness };
      },
    },
    {
      method: 'get',
      path: '/metrics',
      operationId: 'prometheusMetrics',
      tag: 'system',
      summary: 'Prometheus metrics',
      access: 'public',
      response: {
        status: 200,
        description: 'Prometheus text format',
        schema: { type: 'string' },
        contentType: 'text/plain',
      },
      async handle() {
        return { raw: { contentType: registry.contentType, body: await registry.metrics() } };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/openapi.json`,
      operationId: 'openApi',
      tag: 'system',
      summary: 'This document',
      access: 'public',
      response: {
        status: 200,
        description: 'OpenAPI 3.1',
        schema: { type: 'object' },
        contentType: 'application/json',
      },
      async handle() {
        return { raw: { contentType: 'application/json', body: deps.openApi() } };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/system/health`,
      operationId: 'systemHealth',
      tag: 'system',
      summary: 'Health of this instance',
      access: 'read',
      response: { status: 200, description: 'Health report', schema: ref('SystemHealth') },
      async handle() {
        const readiness = backend.readiness();
        return {
          data: {
            status: readiness.ready ? 'ok' : 'not_ready',
            startedAt: deps.startedAt.toISOString(),
            uptimeSeconds: uptimeSeconds(deps),
            readiness,
          },
        };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/system/metrics`,
      operationId: 'systemMetrics',
      tag: 'system',
      summary: 'JSON summary of the metrics',
      access: 'read',
      response: { status: 200, description: 'Metrics summary', schema: ref('SystemMetrics') },
      async handle() {
        const memory = process.memoryUsage();
        return {
          data: {
            uptimeSeconds: uptimeSeconds(deps),
            memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
            metrics: await metricsSummary(registry),
          },
        };
      },
    },
  ];
}
