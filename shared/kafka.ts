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

/**
 * Waits until the cluster answers a metadata request, trying again every `pollMs` (each try also
 * runs kafkajs's own connection retries), with a warning on the first miss and every
 * `remindEveryMs` after. A component started while Kafka is away (or restarted by its supervisor
 * during an outage) then comes up as soon as Kafka is back, instead of exiting after kafkajs's few
 * seconds of retries and waiting out its supervisor's growing backoff. Rethrows when `cancelled()`.
 */
export async function waitForKafka(
  kafka: Kafka,
  logger: Logger,
  cancelled: () => boolean = () => false,
  { pollMs = 1000, remindEveryMs = 30_000 }: { pollMs?: number; remindEveryMs?: number } = {},
): Promise<void> {
  let lastLog = 0;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (err) {
      if (cancelled()) throw err;
      if (Date.now() - lastLog >= remindEveryMs) {
        logger.warn('Kafka does not answer; waiting for it', { error: err });
        lastLog = Date.now();
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
