import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { EXIT_CODES, runMain } from '../shared/exit-codes';
import { createLogger } from '../shared/logger';
import { Bridge } from './bridge';
import { loadBridgeSettings } from './bridge-config';
import { startBridgeHttp } from './http';

/**
 * Entry point: `node dist/bridge/main.js`. Reads the environment (the common settings, MQTT_* and
 * BRIDGE_*; none of the service's), serves /metrics and /healthz on BRIDGE_HTTP_PORT, runs the
 * bridge, and on SIGTERM/SIGINT stops it gracefully (a second signal exits at once, 1). Exits 2
 * when the configuration is invalid, 1 when the bridge cannot start (shared/exit-codes.ts).
 */
async function main(): Promise<void> {
  const { config, bridge: bridgeConfig } = loadBridgeSettings();
  const logger = createLogger({ level: config.logLevel, component: 'bridge-main' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'twinfold_bridge_' });

  const bridge = new Bridge({ config, bridge: bridgeConfig, logger, registry });
  const server: Server = await startBridgeHttp({
    port: bridgeConfig.httpPort,
    registry,
    health: () => bridge.health(),
    logger,
  });
  logger.info('http listening', { port: bridgeConfig.httpPort });

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(EXIT_CODES.failed);
    }
    signalled = true;
    logger.info('stopping', { signal });
    bridge
      .stop()
      .then(() => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections(); // idle keep-alive scrapers would hold close() open
        return closed;
      })
      .then(() => process.exit(EXIT_CODES.ok))
      .catch((err: unknown) => {
        logger.error('unclean stop', { error: err });
        process.exit(EXIT_CODES.failed);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  try {
    await bridge.start();
  } catch (err) {
    if (signalled) return; // stopped by a signal while starting; shutdown() exits
    server.close();
    throw err;
  }
}

runMain('bridge', main);
