import type { RequestHandler, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';

export const HTTP_DURATION_METRIC = 'twinfold_http_request_duration_seconds';
/** Route label of requests no route matched: keeps scanners from exploding the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

const routes = new WeakMap<Response, string>();

/** Records the route pattern (e.g. `/api/v1/twins/:id`) a response belongs to. */
export function setRouteLabel(res: Response, route: string): void {
  routes.set(res, route);
}

export function routeLabel(res: Response): string {
  return routes.get(res) ?? UNMATCHED_ROUTE;
}

function durationHistogram(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  // Several apps may share one registry (tests, restarts); a metric name registers only once.
  const existing = registry.getSingleMetric(HTTP_DURATION_METRIC);
  if (existing instanceof Histogram) return existing as Histogram<'method' | 'route' | 'status'>;
  return new Histogram({
    name: HTTP_DURATION_METRIC,
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

/** First middleware: observes every request's latency once its response is finished or aborted. */
export function httpMetrics(registry: Registry): RequestHandler {
  const histogram = durationHistogram(registry);
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    let done = false;
    const observe = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      histogram.observe(
        { method: req.method, route: routeLabel(res), status: String(res.statusCode) },
        seconds,
      );
    };
    res.once('finish', observe);
    res.once('close', observe);
    next();
  };
}
