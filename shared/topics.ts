import type { Config } from './config';
import type { InputKind } from './inputs';

/** docs/contract.md topic names, each behind the configured prefix. */
export interface TopicNames {
  telemetry: string;
  state: string;
  status: string;
  acks: string;
  errors: string;
  desired: string;
  commands: string;
  registry: string;
  twins: string;
  events: string;
  downlink: string;
  dlq: string;
  /** Compacted, keyed by device type: the type's profile (read by every instance as a global table). */
  types: string;
  /** Compacted, keyed by rule id: the rules (read by every instance as a global table). */
  rules: string;
}

export type { InputKind };

export function topicNames(config: Pick<Config, 'topicPrefix'>): TopicNames {
  const p = config.topicPrefix;
  return {
    telemetry: `${p}device.telemetry`,
    state: `${p}device.state`,
    status: `${p}device.status`,
    acks: `${p}device.acks`,
    errors: `${p}device.errors`,
    desired: `${p}device.desired`,
    commands: `${p}device.commands`,
    registry: `${p}device.registry`,
    twins: `${p}device.twins`,
    events: `${p}device.events`,
    downlink: `${p}device.downlink`,
    dlq: `${p}device.dlq`,
    types: `${p}device.types`,
    rules: `${p}device.rules`,
  };
}

/** The co-partitioned input topics, each with the kind of record it carries. */
export function inputTopics(names: TopicNames): { topic: string; kind: InputKind }[] {
  return [
    { topic: names.telemetry, kind: 'telemetry' },
    { topic: names.state, kind: 'state' },
    { topic: names.status, kind: 'status' },
    { topic: names.acks, kind: 'ack' },
    { topic: names.errors, kind: 'error' },
    { topic: names.desired, kind: 'desired' },
    { topic: names.commands, kind: 'command' },
    { topic: names.registry, kind: 'registry' },
  ];
}

/** The changelog of the history stores (cleanup.policy=delete), named like the twin store's. */
export function historyChangelogTopic(config: Pick<Config, 'applicationId'>): string {
  return `${config.applicationId}-history-changelog`;
}

/** The compacted changelog behind the partition stores; internal, so named like Kafka Streams': by application id. */
export function changelogTopic(config: Pick<Config, 'applicationId'>): string {
  return `${config.applicationId}-twin-store-changelog`;
}
