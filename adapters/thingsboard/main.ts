import { collectDefaultMetrics, Registry } from 'prom-client';
import { startBridgeHttp } from '../../bridge/http';
import { runMain } from '../../shared/exit-codes';
import { ProcessLifecycle } from '../../shared/process-lifecycle';
import { createLogger } from '../../shared/logger';
import { ThingsBoardAdapter } from './adapter';
import { loadThingsBoardSettings } from './settings';

/**
 * Entry point: `node dist/adapters/thingsboard/main.js`. Reads the common settings and TB_*,
 * serves /metrics, /healthz and /readyz on TB_HTTP_PORT, mirrors twins into ThingsBoard until
 * SIGTERM/SIGINT (graceful stop; a second signal exits at once). Exits 2 on an invalid
 * configuration, 1 when it cannot start or its consumer gave up (for its supervisor to restart it).
 */
async function main(): Promise<void> {
  const { config, tb } = loadThingsBoardSettings();
  const logger = createLogger({ level: config.logLevel, component: 'thingsboard' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'twinfold_thingsboard_' });
  const lifecycle = new ProcessLifecycle(logger);
  const adapter = new ThingsBoardAdapter({
    config,
    tb,
    logger,
    registry,
    onFailure: (reason) => {
      logger.error('adapter failed; stopping it so that a fresh one takes over', { reason });
      lifecycle.fail();
    },
  });
  const server = await startBridgeHttp({
    port: tb.httpPort,
    registry,
    health: () => adapter.health(),
    logger,
  });

  await lifecycle.run(adapter, server);
}

runMain('thingsboard', main);
