import { Counter, Gauge, type Registry } from 'prom-client';

/** The Eclipse Hono adapter's Prometheus metrics. */
export interface HonoMetrics {
  /** Records read from Hono's topics and device.downlink, by channel and what became of them. */
  records: Counter<'channel' | 'outcome'>;
  /** Records sent to the dead-letter topic, by error code. */
  deadLetters: Counter<'code'>;
  /** Devices whose ttd window will close (an `offline` is then written). */
  offlineTimers: Gauge<never>;
}

export function createHonoMetrics(registry: Registry): HonoMetrics {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'twinfold_hono_records_total',
      help: 'Records read by the Hono adapter, by channel (telemetry, event, command_response, command) and outcome (forwarded, dead_lettered, skipped)',
      labelNames: ['channel', 'outcome'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'twinfold_hono_dead_letters_total',
      help: 'Hono records sent to the dead-letter topic, by error code',
      labelNames: ['code'],
      registers,
    }),
    offlineTimers: new Gauge({
      name: 'twinfold_hono_offline_timers',
      help: 'Hono devices with an open ttd window (offline is written when it closes)',
      registers,
    }),
  };
}
