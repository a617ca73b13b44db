import type { Kafka } from 'kafkajs';
import type { Logger } from '../../shared/logger';
import { GlobalTable } from '../../topology/global-table';
import { KafkaGlobalTableWriter } from '../../topology/global-table-writer';
import type { ProcessorSettings } from '../../topology/processor-settings';
import { RuleBook, type Rule } from '../../topology/rules';
import { DEFAULT_PROFILE, type DeviceProfile } from '../../topology/traits';
import { checkRule } from './rules';
import { checkProfile } from './types';
import { stampedDecoder, type GlobalTables, type Stamped } from './types-tables';

export interface TableSetup {
  tables: GlobalTables;
  writer: KafkaGlobalTableWriter;
  /** The processor's settings with the fold reading the tables (profileFor, rulesFor). */
  settings: ProcessorSettings;
}

/**
 * The `device.types` and `device.rules` global tables of one service instance, and the fold
 * configuration that reads them: every instance folds with the same profiles and rules. The
 * processor starts the tables (global-table.ts) and folds nothing before both are read.
 */
export function setUpGlobalTables(
  kafka: Kafka,
  base: ProcessorSettings,
  writeWaitMs: number,
  logger: Logger,
): TableSetup {
  const book = new RuleBook();
  const common = { kafka, groupPrefix: base.applicationId, logger };
  const profiles = new GlobalTable<Stamped<DeviceProfile>>({
    ...common,
    topic: base.topics.types,
    decode: stampedDecoder((value) => checkProfile(value)),
  });
  const rules = new GlobalTable<Stamped<Rule>>({
    ...common,
    topic: base.topics.rules,
    decode: stampedDecoder((value, key) => checkRule(value, key)),
    onChange: (key, entry) => book.set(key, entry?.value),
  });
  const writer = new KafkaGlobalTableWriter(kafka);
  const foldConfig = {
    ...base.foldConfig,
    profileFor: (type: string) => profiles.get(type)?.value ?? DEFAULT_PROFILE,
    rulesFor: (type: string) => book.forType(type),
  };
  return { tables: { profiles, rules, writer, writeWaitMs }, writer, settings: { ...base, foldConfig } };
}
