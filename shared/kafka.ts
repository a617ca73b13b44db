import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { CommonConfig } from './config';
import type { Logger } from './logger';

const LEVELS: Record<number, 'debug' | 'info' | 'warn' | 'error'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

function sasl(config: CommonConfig): SASLOptions | undefined {
  const { kafkaSaslMechanism: mechanism, kafkaSaslUsername: username, kafkaSaslPassword: password } = config;
  if (!mechanism || !username || !password) return undefined;
  return { mechanism, username, password } as SASLOptions;
}

/**
 * kafkajs lines that are noise at warn: bounded retries on every idempotent producer (the bound is
 * deliberate), and each error code a broker answers a request with ("Response ListOffsets ...
 * NOT_LEADER", "GroupCoordinator ... not available" while a fresh broker starts): kafkajs retries
 * those, and says so again at warn or error when it gives up.
 */
function routine(namespace: string, message: string): boolean {
  return (
    message.startsWith('Limiting retries') || (namespace === 'Connection' && message.startsWith('Response '))
  );
}

/**
 * A kafkajs client whose logs go through our structured logger. kafkajs logs at ERROR for
 * conditions it retries (coordinator loading, rebalances in progress); those arrive as warn.
 */
export function createKafka(config: CommonConfig, clientId: string, logger: Logger): Kafka {
  const log = logger.child('kafkajs');
  const kafkaConfig: KafkaConfig = {
    clientId,
    brokers: config.kafkaBrokers,
    ssl: config.kafkaSsl,
    sasl: sasl(config),
    logLevel: config.logLevel === 'debug' ? KafkaLogLevel.INFO : KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        const mapped = routine(namespace, message) ? 'debug' : (LEVELS[level] ?? 'info');
        log[mapped === 'error' ? 'warn' : mapped](message, { namespace, ...fields });
      },
    retry: { initialRetryTime: 100, retries: 8 },
  };
  return new Kafka(kafkaConfig);
}
