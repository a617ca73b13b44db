import type { Kafka } from 'kafkajs';
import type { Logger } from '../../shared/logger';

/**
 * Deletes a reader's consumer group once the reader left it: the group never commits, and Kafka
 * would otherwise list it (empty) until its offsets retention check removes it.
 */
export async function deleteReaderGroup(kafka: Kafka, groupId: string, logger: Logger): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch (err) {
    logger.warn('could not delete a reader consumer group', { groupId, error: err });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
