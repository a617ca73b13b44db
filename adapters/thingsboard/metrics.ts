import { Counter, type Registry } from 'prom-client';

/** The ThingsBoard adapter's Prometheus metrics. */
export interface ThingsBoardMetrics {
  /** Gateway messages ThingsBoard acknowledged (PUBACK), by gateway topic. */
  published: Counter<'topic'>;
  /** Requests from ThingsBoard written to twinfold's inputs, by kind (`desired`, `command`). */
  requests: Counter<'kind'>;
  /** Messages from ThingsBoard refused (logged and dead-lettered), by gateway topic and error code. */
  rejected: Counter<'topic' | 'code'>;
  /** The adapter's own publications echoed back by a broker that is not ThingsBoard, ignored. */
  echoes: Counter<'topic'>;
  /** MQTT reconnections to ThingsBoard. */
  reconnects: Counter<never>;
}

export function createThingsBoardMetrics(registry: Registry): ThingsBoardMetrics {
  const registers = [registry];
  return {
    published: new Counter({
      name: 'twinfold_thingsboard_published_total',
      help: 'Gateway messages ThingsBoard acknowledged, by topic',
      labelNames: ['topic'],
      registers,
    }),
    requests: new Counter({
      name: 'twinfold_thingsboard_requests_total',
      help: "ThingsBoard's shared-attribute updates and RPCs written to twinfold's inputs, by kind",
      labelNames: ['kind'],
      registers,
    }),
    rejected: new Counter({
      name: 'twinfold_thingsboard_rejected_total',
      help: 'Messages from ThingsBoard refused (dead-lettered), by topic and error code',
      labelNames: ['topic', 'code'],
      registers,
    }),
    echoes: new Counter({
      name: 'twinfold_thingsboard_echoes_total',
      help: "The adapter's own gateway messages a broker delivered back to it (ignored)",
      labelNames: ['topic'],
      registers,
    }),
    reconnects: new Counter({
      name: 'twinfold_thingsboard_reconnects_total',
      help: 'MQTT reconnections to ThingsBoard',
      registers,
    }),
  };
}
