import { TwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { TopicNames } from '../shared/topics';

/** The Kafka topics the bridge writes or reads (the twin outputs' only when they are on). */
export function bridgeTopics(names: TopicNames, twinOutputs = true): string[] {
  const topics = [
    names.telemetry,
    names.state,
    names.status,
    names.acks,
    names.errors,
    names.downlink,
    names.dlq,
  ];
  return twinOutputs ? [...topics, names.twins, names.events] : topics;
}

/**
 * Waits until every topic in `topics` exists. The bridge never creates topics (the processor
 * does, with the co-partitioning it checks), so when both start together the bridge waits here.
 * Logs what is missing on the first poll and every `remindEveryMs` after. Throws NOT_READY when
 * `cancelled()` turns true (the bridge is being stopped).
 */
export async function waitForTopics(
  listTopics: () => Promise<string[]>,
  topics: readonly string[],
  logger: Logger,
  cancelled: () => boolean,
  { pollMs = 1000, remindEveryMs = 30_000 }: { pollMs?: number; remindEveryMs?: number } = {},
): Promise<void> {
  let lastLog = 0;
  for (;;) {
    const existing = new Set(await listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    if (cancelled())
      throw new TwinfoldError('NOT_READY', `stopped while waiting for Kafka topics ${missing.join(', ')}`);
    if (Date.now() - lastLog >= remindEveryMs) {
      logger.warn('waiting for Kafka topics to be created (by the twinfold processor)', { missing });
      lastLog = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
