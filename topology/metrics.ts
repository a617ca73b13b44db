import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { HistoryMetrics } from './history/metrics';
import type { TwinCounts } from './twin-stats';
import type { TwinEvent } from './twin';

/** The processor's Prometheus metrics; `counts` is read at scrape time from the live tasks. */
export class ProcessorMetrics {
  readonly records: Counter<'topic' | 'outcome'>;
  readonly deadLetters: Counter<'code'>;
  readonly unknownAcks: Counter;
  readonly commandsExpired: Counter;
  readonly restoredRecords: Counter;
  readonly restoringPartitions: Gauge;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly commitSeconds: Histogram<'guarantee'>;
  readonly batchSize: Histogram;
  readonly history: HistoryMetrics;
  readonly alertsRaised: Counter<'type'>;
  readonly alertsCleared: Counter<'type'>;
  readonly ruleFirings: Counter<'rule'>;

  /** Counts what a committed fold emitted: alerts raised and cleared, rule firings. */
  countEvents(events: readonly TwinEvent[]): void {
    for (const e of events) {
      const label = typeof e.data.type === 'string' ? e.data.type : 'unknown';
      if (e.type === 'alert.raised') this.alertsRaised.inc({ type: label });
      else if (e.type === 'alert.cleared') this.alertsCleared.inc({ type: label });
      else if (e.type === 'rule.fired' && typeof e.data.ruleId === 'string')
        this.ruleFirings.inc({ rule: e.data.ruleId });
    }
  }

  constructor(registry: Registry, counts: () => TwinCounts[]) {
    const registers = [registry];
    this.records = new Counter({
      name: 'twinfold_processor_records_total',
      help: 'Input records folded, by topic and outcome',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'twinfold_processor_dlq_records_total',
      help: 'Input records sent to the dead-letter topic, by error code',
      labelNames: ['code'],
      registers,
    });
    this.unknownAcks = new Counter({
      name: 'twinfold_processor_unknown_acks_total',
      help: 'Acks for commands the twin does not know (dropped)',
      registers,
    });
    this.commandsExpired = new Counter({
      name: 'twinfold_commands_expired_total',
      help: 'Commands that expired before an ack',
      registers,
    });
    this.restoredRecords = new Counter({
      name: 'twinfold_processor_restored_records_total',
      help: 'Changelog records applied while restoring stores',
      registers,
    });
    this.restoringPartitions = new Gauge({
      name: 'twinfold_processor_restoring_partitions',
      help: 'Partitions whose store is being restored',
      registers,
    });
    this.lag = new Gauge({
      name: 'twinfold_processor_consumer_lag',
      help: 'Records behind the end of each input partition (as of the last batch)',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'twinfold_processor_commit_duration_seconds',
      help: 'Time to commit one batch (transaction or produce + offset commit)',
      labelNames: ['guarantee'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'twinfold_processor_batch_records',
      help: 'Records per processed batch',
      buckets: [1, 10, 100, 1000, 5000, 20000],
      registers,
    });
    this.history = new HistoryMetrics(registry);
    this.alertsRaised = new Counter({
      name: 'twinfold_alerts_raised_total',
      help: 'Alerts raised by the traits, by alert type',
      labelNames: ['type'],
      registers,
    });
    this.alertsCleared = new Counter({
      name: 'twinfold_alerts_cleared_total',
      help: 'Alerts cleared by the traits, by alert type',
      labelNames: ['type'],
      registers,
    });
    this.ruleFirings = new Counter({
      name: 'twinfold_rule_firings_total',
      help: 'Rule firings (commands queued by rules), by rule id',
      labelNames: ['rule'],
      registers,
    });
    const sum = (key: keyof TwinCounts): number => counts().reduce((n, c) => n + c[key], 0);
    new Gauge({
      name: 'twinfold_twins_by_health',
      help: "Twins held by this instance, by the traits' health as folded (none: no traits yet)",
      labelNames: ['health'],
      registers,
      collect() {
        for (const [health, key] of [
          ['HEALTHY', 'healthy'],
          ['DEGRADED', 'degraded'],
          ['FAILED', 'failed'],
          ['none', 'noTraits'],
        ] as const)
          this.set({ health }, sum(key));
      },
    });
    new Gauge({
      name: 'twinfold_twins',
      help: 'Twins held by this instance, by connection status',
      labelNames: ['status'],
      registers,
      collect() {
        for (const status of ['online', 'offline', 'unknown'] as const) this.set({ status }, sum(status));
      },
    });
    new Gauge({
      name: 'twinfold_twins_with_delta',
      help: 'Twins whose desired state differs from reported',
      registers,
      collect() {
        this.set(sum('withDelta'));
      },
    });
    new Gauge({
      name: 'twinfold_commands_pending',
      help: 'Commands pending or delivered and not yet acknowledged',
      registers,
      collect() {
        this.set(sum('commandsPending'));
      },
    });
  }
}
