import type { TopicMessages } from 'kafkajs';

/** Per-record framing overhead assumed on top of key and value bytes (headers, varints, timestamps). */
const RECORD_OVERHEAD = 64;

function size(value: Buffer | string | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * Splits one commit's records into sends of at most about `maxBytes` each, keeping every topic's
 * order. kafkajs puts all records of a partition in one request into one record batch, and a
 * broker refuses a batch over message.max.bytes (1 MB by default), which would block the
 * partition for good; several sends in one transaction are still one atomic commit.
 */
export function chunkTopicMessages(
  topicMessages: readonly TopicMessages[],
  maxBytes: number,
): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let currentBytes = 0;
  for (const { topic, messages } of topicMessages) {
    let slice: TopicMessages = { topic, messages: [] };
    current.push(slice);
    for (const m of messages) {
      const bytes = size(m.key) + size(m.value) + RECORD_OVERHEAD;
      if (currentBytes + bytes > maxBytes && currentBytes > 0) {
        chunks.push(current);
        slice = { topic, messages: [] };
        current = [slice];
        currentBytes = 0;
      }
      slice.messages.push(m);
      currentBytes += bytes;
    }
  }
  if (currentBytes > 0) chunks.push(current.filter((t) => t.messages.length > 0));
  return chunks;
}
