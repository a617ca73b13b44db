import { Counter, Gauge, type Registry } from 'prom-client';
import { once } from '../events/metrics';

/** Metrics of the WebSocket API; registered once per registry (tests share registries). */
export interface WsMetrics {
  connections: Gauge;
  subscriptions: Gauge;
  sent: Counter<'type'>;
  closes: Counter<'code'>;
}

export function wsMetrics(registry: Registry): WsMetrics {
  const registers = [registry];
  return {
    connections: once(
      registry,
      'twinfold_ws_connections',
      () => new Gauge({ name: 'twinfold_ws_connections', help: 'Open WebSocket connections', registers }),
    ),
    subscriptions: once(
      registry,
      'twinfold_ws_subscriptions',
      () =>
        new Gauge({
          name: 'twinfold_ws_subscriptions',
          help: 'Live subscriptions over all WebSocket connections',
          registers,
        }),
    ),
    sent: once(
      registry,
      'twinfold_ws_messages_sent_total',
      () =>
        new Counter({
          name: 'twinfold_ws_messages_sent_total',
          help: 'Messages sent to WebSocket clients, by type',
          labelNames: ['type'] as const,
          registers,
        }),
    ),
    closes: once(
      registry,
      'twinfold_ws_closes_total',
      () =>
        new Counter({
          name: 'twinfold_ws_closes_total',
          help: "WebSocket connections closed, by close code (the server's, else the client's)",
          labelNames: ['code'] as const,
          registers,
        }),
    ),
  };
}
