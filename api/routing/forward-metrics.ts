import { Counter, Histogram, type Registry } from 'prom-client';

function counter<K extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: K[],
): Counter<K> {
  // Several apps may share one registry (tests): a metric name registers only once.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<K>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/**
 * Requests this instance sent to another instance (forwarded single-twin requests and list
 * fan-out), by `operation` (the Backend method, a bounded set).
 */
export class ForwardMetrics {
  /** Every forwarded request, by the peer's HTTP status (`none` when no answer came). */
  readonly requests: Counter<'operation' | 'status'>;
  /** Forwarded requests that failed: refused, timeout, reset, network, bad_response, or the peer's 5xx. */
  readonly errors: Counter<'operation' | 'reason'>;
  readonly duration: Histogram<'operation'>;

  constructor(registry: Registry) {
    this.requests = counter(
      registry,
      'twinfold_api_forwarded_requests_total',
      'Requests forwarded to the instance owning the partition (and list fan-out calls), by peer HTTP status',
      ['operation', 'status'],
    );
    this.errors = counter(
      registry,
      'twinfold_api_forward_errors_total',
      'Forwarded requests that got no usable answer or a 5xx, by reason',
      ['operation', 'reason'],
    );
    const name = 'twinfold_api_forward_duration_seconds';
    const existing = registry.getSingleMetric(name);
    this.duration =
      existing instanceof Histogram
        ? (existing as Histogram<'operation'>)
        : new Histogram({
            name,
            help: 'Latency of requests forwarded to another instance',
            labelNames: ['operation'],
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers: [registry],
          });
  }
}
