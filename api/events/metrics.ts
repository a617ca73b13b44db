import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the event streams; registered once per registry (tests share registries). */
export interface EventStreamMetrics {
  streams: Gauge<'reader'>;
  events: Counter;
  rejected: Counter<'reason'>;
}

/** The metric registered under `name`, else the one `create` registers. */
export function once<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function eventStreamMetrics(registry: Registry): EventStreamMetrics {
  const registers = [registry];
  return {
    streams: once(
      registry,
      'twinfold_sse_streams',
      () =>
        new Gauge({
          name: 'twinfold_sse_streams',
          help: 'Open event streams (SSE, and WebSocket subscriptions), by reader: shared (live and replay buffer) or own (a consumer of their own)',
          labelNames: ['reader'] as const,
          registers,
        }),
    ),
    events: once(
      registry,
      'twinfold_sse_events_total',
      () =>
        new Counter({
          name: 'twinfold_sse_events_total',
          help: 'Events sent on event streams (SSE, and WebSocket subscriptions)',
          registers,
        }),
    ),
    rejected: once(
      registry,
      'twinfold_sse_rejected_total',
      () =>
        new Counter({
          name: 'twinfold_sse_rejected_total',
          help: 'Event streams refused with 503, by reason',
          labelNames: ['reason'] as const,
          registers,
        }),
    ),
  };
}
