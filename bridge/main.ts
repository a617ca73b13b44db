import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { runMain } from '../shared/exit-codes';
import { ProcessLifecycle } from '../shared/process-lifecycle';
import { createLogger } from '../shared/logger';
import { Bridge } from './bridge';
import { loadBridgeSettings } from './bridge-config';
import { startBridgeHttp } from './http';

/**
 * Entry point: `node dist/bridge/main.js`. Reads the environment (the common settings, MQTT_* and
 * BRIDGE_*; none of the service's), serves /metrics and /healthz on BRIDGE_HTTP_PORT, runs the
 * bridge, and on SIGTERM/SIGINT stops it gracefully (a second signal exits at once, 1). Exits 2
 * when the configuration is invalid, 1 when the bridge cannot start, and 1 after a graceful stop
 * when a part of it gave up for good (the downlink consumer, e.g. after a long Kafka outage), so
 * the supervisor (npm start, Kubernetes) starts a fresh one (shared/exit-codes.ts).
 */
async function main(): Promise<void> {
  const { config, bridge: bridgeConfig } = loadBridgeSettings();
  const logger = createLogger({ level: config.logLevel, component: 'bridge-main' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'twinfold_bridge_' });

  const lifecycle = new ProcessLifecycle(logger);
  const bridge = new Bridge({
    config,
    bridge: bridgeConfig,
    logger,
    registry,
    onFailure: (reason) => {
      logger.error('bridge failed; stopping it so that a fresh one takes over', { reason });
      lifecycle.fail();
    },
  });
  const server: Server = await startBridgeHttp({
    port: bridgeConfig.httpPort,
    registry,
    health: () => bridge.health(),
    logger,
  });
  logger.info('http listening', { port: bridgeConfig.httpPort });

  await lifecycle.run(bridge, server);
}

runMain('bridge', main);
