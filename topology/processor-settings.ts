import { DEFAULT_BEHAVIOUR_SETTINGS } from './behaviour';
import type { Config } from '../shared/config';
import { changelogTopic, historyChangelogTopic, topicNames, type TopicNames } from '../shared/topics';
import { RetentionPolicy } from './history/retention';
import type { DecodeLimits } from '../shared/inputs';
import type { RecordFormats } from './record-formats';
import type { FoldConfig } from './twin';

/** What the processor's parts need from the configuration, derived once. */
export interface ProcessorSettings {
  applicationId: string;
  guarantee: 'exactly_once' | 'at_least_once';
  stateDir: string;
  cacheMaxEntries: number;
  topics: TopicNames;
  changelogTopic: string;
  limits: DecodeLimits;
  foldConfig: FoldConfig;
  partitions: number;
  replicationFactor: number;
  /** The history stores (HISTORY=on), or undefined when history is off. */
  history: HistorySettings | undefined;
  /** Avro inputs and the device.twins format (record-formats.ts); absent: JSON only. */
  formats?: RecordFormats;
}

export interface HistorySettings {
  changelogTopic: string;
  retention: RetentionPolicy;
}

export function processorSettings(config: Config): ProcessorSettings {
  const limits = {
    maxBytes: config.maxPayloadBytes,
    maxDepth: config.maxJsonDepth,
    maxKeys: config.maxJsonKeys,
  };
  return {
    applicationId: config.applicationId,
    guarantee: config.processingGuarantee,
    stateDir: config.stateDir,
    cacheMaxEntries: config.cacheMaxEntries,
    topics: topicNames(config),
    changelogTopic: changelogTopic(config),
    limits: { ...limits, maxClockSkewMs: config.maxClockSkewMs },
    foldConfig: {
      offlineAfterMs: config.offlineAfterMs,
      defaultCommandTtlMs: config.commandTtlMs,
      maxCommandRetries: config.commandMaxRetries,
      maxCommandHistory: 50,
      // The bridge checks device.downlink records against the same settings.
      downlinkLimits: limits,
      traits: config.traits,
      ...(config.behaviour
        ? { behaviour: { ...DEFAULT_BEHAVIOUR_SETTINGS, windowMs: config.behaviourWindowMs } }
        : {}),
    },
    partitions: config.partitions,
    replicationFactor: config.replicationFactor,
    history:
      config.history === 'off'
        ? undefined
        : {
            changelogTopic: historyChangelogTopic(config),
            retention: new RetentionPolicy({
              defaultMs: config.historyRetentionMs,
              byType: config.historyRetentionByType,
            }),
          },
  };
}
