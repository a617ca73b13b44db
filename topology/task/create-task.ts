import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../../shared/logger';
import type { ProcessorMetrics } from '../metrics';
import { PartitionTask, type CommitListener } from '../partition-task';
import type { ProcessorSettings } from '../processor-settings';
import { AtLeastOnceCommitter, type OffsetCommitter } from './at-least-once-committer';
import type { Committer } from './committer';
import { ExactlyOnceCommitter } from './exactly-once-committer';
import { levelStorage, partitionStoreDirectory } from './storage';

export interface TaskDependencies {
  readonly kafka: Kafka;
  readonly settings: ProcessorSettings;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  /** Under at_least_once: the process's shared producer and the consumer's offset commit. */
  readonly atLeastOnce?: { readonly producer: Producer; readonly commitOffsets: OffsetCommitter };
  readonly onCommitted?: CommitListener;
}

/** The committer of the configured processing guarantee. */
export function committerFor(deps: TaskDependencies, partition: number): Committer {
  if (deps.settings.guarantee === 'exactly_once')
    return new ExactlyOnceCommitter(
      (config) => deps.kafka.producer(config),
      deps.settings.applicationId,
      partition,
    );
  if (!deps.atLeastOnce) throw new Error('at_least_once needs the shared producer and the offset commit');
  return new AtLeastOnceCommitter(deps.atLeastOnce.producer, deps.atLeastOnce.commitOffsets, partition);
}

/**
 * The service's task of `partition`: LevelDB stores under STATE_DIR (`partition-<n>` for the twins,
 * `partition-<n>-history` for the history) and the guarantee's committer.
 */
export function createPartitionTask(deps: TaskDependencies, partition: number): PartitionTask {
  const { settings } = deps;
  const dir = partitionStoreDirectory(settings.stateDir, settings.applicationId, partition);
  return new PartitionTask({
    partition,
    settings,
    committer: committerFor(deps, partition),
    storage: levelStorage(dir, `twins-${partition}`),
    ...(settings.history ? { historyStorage: levelStorage(`${dir}-history`, `history-${partition}`) } : {}),
    metrics: deps.metrics,
    logger: deps.logger,
    ...(deps.onCommitted ? { onCommitted: deps.onCommitted } : {}),
  });
}
