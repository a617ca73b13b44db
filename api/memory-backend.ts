import type { JsonLimits } from '../shared/safe-json';
import { topicNames } from '../shared/topics';
import { DEFAULT_FOLD_CONFIG, type FoldConfig } from '../topology/twin';
import type { Readiness } from './backend';
import { MemoryTwinLog } from './memory-twin-log';
import { ProcessorBackend } from './processor-backend';

export interface MemoryBackendOptions {
  /** The clock of the dry runs and the record time of the folds. */
  now?: () => number;
  limits?: JsonLimits;
  foldConfig?: FoldConfig;
  writeOutcomeTimeoutMs?: number;
}

/**
 * The service's own ProcessorBackend over the pure fold and an in-memory store (MemoryTwinLog),
 * for unit tests and local experiments; NOT for production (no Kafka, no persistence). Every write
 * is checked, produced and folded exactly as the service does it, only at once, so a test reads
 * its own writes and sees the semantics the service really has.
 */
export class MemoryBackend extends ProcessorBackend {
  readonly log: MemoryTwinLog;
  private readonly readinessHolder: { current: Readiness };

  constructor(options: MemoryBackendOptions = {}) {
    const now = options.now ?? Date.now;
    const topics = topicNames({ topicPrefix: '' });
    const foldConfig = options.foldConfig ?? DEFAULT_FOLD_CONFIG;
    const limits = options.limits ?? foldConfig.downlinkLimits;
    const log = new MemoryTwinLog({ topics, limits, foldConfig, now });
    const readinessHolder: { current: Readiness } = { current: { ready: true, status: 'running' } };
    super({
      producer: log,
      queries: log,
      readiness: () => ({ ...readinessHolder.current }),
      topics,
      limits,
      foldConfig,
      writeOutcomeTimeoutMs: options.writeOutcomeTimeoutMs ?? 1000,
      now,
    });
    this.log = log;
    this.readinessHolder = readinessHolder;
  }

  /** Test hook: what `readiness()` reports from now on. */
  setReadiness(readiness: Readiness): void {
    this.readinessHolder.current = { ...readiness };
  }
}
