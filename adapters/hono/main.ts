import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startBridgeHttp } from '../../bridge/http';
import { runMain } from '../../shared/exit-codes';
import { ProcessLifecycle } from '../../shared/process-lifecycle';
import { createLogger } from '../../shared/logger';
import { HonoAdapter } from './adapter';
import { loadHonoSettings } from './settings';

/**
 * Entry point: `node dist/adapters/hono/main.js`. Reads the common settings and HONO_* (exit 2 when
 * invalid, e.g. without HONO_TENANTS), serves /metrics, /healthz and /readyz on HONO_HTTP_PORT,
 * runs the adapter, and stops it gracefully on SIGTERM/SIGINT (a second signal exits at once, 1).
 * A consumer that gives up for good (e.g. fenced by another adapter with the same id) stops it
 * with exit code 1, for its supervisor to start a fresh one.
 */
async function main(): Promise<void> {
  const { config, hono } = loadHonoSettings();
  const logger = createLogger({ level: config.logLevel, component: 'hono-main' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'twinfold_hono_' });

  const lifecycle = new ProcessLifecycle(logger);
  const adapter = new HonoAdapter({
    config,
    hono,
    logger,
    registry,
    onFailure: (reason) => {
      logger.error('hono adapter failed; stopping it so that a fresh one takes over', { reason });
      lifecycle.fail();
    },
  });
  const server: Server = await startBridgeHttp({
    port: hono.httpPort,
    registry,
    health: () => adapter.health(),
    logger,
  });
  const address = server.address();
  logger.info('http listening', {
    port: typeof address === 'object' && address ? address.port : hono.httpPort,
  });

  await lifecycle.run(adapter, server);
}

runMain('hono adapter', main);
