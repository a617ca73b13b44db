import express from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger';
import { DEFAULT_JSON_LIMITS } from '../shared/safe-json';
import type { AuthCheck } from './auth';
import type { Backend } from './backend';
import type { EventSource } from './events/event-source';
import { errorHandler, notFoundHandler } from './error-handler';
import type { JsonObject } from './json';
import { httpMetrics } from './metrics';
import { JSON_MEDIA_TYPES, mountRoutes } from './mount';
import { buildOpenApiDocument } from './openapi/document';
import type { RouteSpec } from './route';
import { aggregateRoutes } from './routes/aggregate';
import { commandRoutes } from './routes/commands';
import { instanceRoutes, type InstanceDeps } from './routes/instances';
import { captureRequestContext } from './routing/request-context';
import type { InstancesView } from './routing/instances-view';
import { deviceRoutes } from './routes/devices';
import { eventRoutes } from './routes/events';
import { historyRoutes } from './routes/history';
import { lifecycleRoutes } from './routes/lifecycle';
import { stateRoutes } from './routes/state';
import { dashboardStatic, defaultDashboardDir } from './static';
import { systemRoutes, type SystemDeps } from './routes/system';
import { twinRoutes } from './routes/twins';
import { compareRoutes } from './routes/compare';
import type { FleetQueries } from './routes/health-fanout';
import { alertRoutes } from './routes/alerts';
import { datasetRoutes, type BehaviourDatasets } from './routes/datasets';
import { healthRoutes } from './routes/health';
import { ruleRoutes } from './routes/rules';
import { typeRoutes } from './routes/types';
import type { GlobalTables } from './routes/types-tables';

export interface ApiOptions {
  backend: Backend;
  logger: Logger;
  /** Receives `twinfold_http_request_duration_seconds`; served at /metrics. */
  metricsRegistry: Registry;
  /** Largest accepted request body (Config.maxPayloadBytes). */
  maxBodyBytes: number;
  /**
   * Authentication: required, so an API is never open by omission. The service builds it from
   * AUTH_* (auth/from-config.ts); pass `allowAll` to serve without authentication.
   */
  auth: AuthCheck;
  /** Live changes for the Server-Sent Event routes; absent: they answer 503. */
  events?: EventSource;
  /** Deepest accepted JSON nesting of a body (Config.maxJsonDepth); default 32. */
  maxJsonDepth?: number;
  /** Most keys accepted in one body (Config.maxJsonKeys); default 1000. */
  maxJsonKeys?: number;
  /** The partition -> instance map for GET /system/instances (routing); absent: standalone. */
  instances?: () => InstancesView;
  now?: () => Date;
  /** The built dashboard served at `/` (api/static.ts); default dist/dashboard, null: none. */
  dashboardDir?: string | null;
  /** Device-type profiles and rules (`/types`, `/rules`); absent: those routes answer 503. */
  tables?: GlobalTables;
  /** Traits and fleet questions (`/twins/{id}/traits`, `/health`, `/alerts`, firings); absent: 503. */
  fleet?: FleetQueries;
  /** The behaviour dataset (`/datasets/behaviour`); absent: 503. */
  datasets?: BehaviourDatasets;
}

/** What the traits, alerts and rules routes need; each part absent makes its routes answer 503. */
export interface TraitRouteDeps {
  tables?: GlobalTables;
  fleet?: FleetQueries;
  datasets?: BehaviourDatasets;
}

/** The whole route table: what Express serves and what the OpenAPI document describes. */
export function apiRoutes(deps: SystemDeps & InstanceDeps & TraitRouteDeps): RouteSpec[] {
  return [
    // Before twinRoutes: GET /twins/aggregate is not the twin `aggregate`.
    ...aggregateRoutes(deps),
    ...twinRoutes(deps),
    ...historyRoutes(deps),
    ...stateRoutes(deps),
    ...commandRoutes(deps),
    ...lifecycleRoutes(deps),
    ...deviceRoutes(deps),
    ...eventRoutes(deps),
    ...systemRoutes(deps),
    ...instanceRoutes(deps),
    ...healthRoutes(deps.fleet),
    ...alertRoutes(deps.fleet),
    ...compareRoutes(deps.fleet),
    ...typeRoutes(deps.tables, deps.now),
    ...ruleRoutes(deps.tables, deps.fleet, deps.now),
    ...datasetRoutes(deps.datasets, deps.now),
  ];
}

/**
 * The HTTP API as an Express application (not listening; see server.ts). Owns no resources: the
 * caller owns the backend and the registry.
 */
export function createApp(options: ApiOptions): express.Application {
  const now = options.now ?? (() => new Date());
  let openApi: JsonObject | undefined;
  const routes: RouteSpec[] = apiRoutes({
    backend: options.backend,
    registry: options.metricsRegistry,
    now,
    startedAt: now(),
    openApi: () => (openApi ??= buildOpenApiDocument(routes)),
    ...(options.instances ? { instances: options.instances } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.tables ? { tables: options.tables } : {}),
    ...(options.fleet ? { fleet: options.fleet } : {}),
    ...(options.datasets ? { datasets: options.datasets } : {}),
  });

  const app = express();
  app.disable('x-powered-by');
  // Only twins carry an ETag (their version); hashing every enveloped body would be wasted work.
  app.set('etag', false);
  // Express 5's default, stated so `attr.KEY` stays a flat key and arrays stay rare.
  app.set('query parser', 'simple');

  app.use(httpMetrics(options.metricsRegistry));
  // Routing (api/routing/) reads the caller's credentials and the one-hop marker from here.
  app.use(captureRequestContext);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  const router = express.Router();
  mountRoutes(router, routes, {
    auth: options.auth,
    // Raw bytes, parsed by shared/safe-json: one JSON policy for MQTT, Kafka and HTTP payloads.
    rawBodyParser: express.raw({ limit: options.maxBodyBytes, type: JSON_MEDIA_TYPES }),
    jsonLimits: {
      maxBytes: options.maxBodyBytes,
      maxDepth: options.maxJsonDepth ?? DEFAULT_JSON_LIMITS.maxDepth,
      maxKeys: options.maxJsonKeys ?? DEFAULT_JSON_LIMITS.maxKeys,
    },
  });
  app.use(router);
  const dashboardDir = options.dashboardDir === undefined ? defaultDashboardDir() : options.dashboardDir;
  const dashboard = dashboardDir === null ? undefined : dashboardStatic(dashboardDir);
  if (dashboard) app.use(dashboard);
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger.child('api')));
  return app;
}
