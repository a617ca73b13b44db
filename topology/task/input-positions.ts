import type { Admin } from 'kafkajs';

/** Where the group stands in one input partition: the next offset to process and the end. */
export interface InputPartitionPosition {
  readonly topic: string;
  readonly partition: number;
  readonly next: string;
  readonly highWatermark: string;
}

/**
 * The committed position of `groupId` and the end of every input partition numbered in
 * `partitions`: what a task has to catch up before its first fetch tells it. A partition the group
 * never committed starts at its log start (the processor consumes from the beginning).
 */
export async function readInputPositions(
  admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
  groupId: string,
  topics: readonly string[],
  partitions: readonly number[],
): Promise<InputPartitionPosition[]> {
  const wanted = new Set(partitions);
  const committed = new Map<string, string>();
  for (const t of await admin.fetchOffsets({ groupId, topics: [...topics] }))
    for (const p of t.partitions) committed.set(`${t.topic}:${p.partition}`, p.offset);
  const out: InputPartitionPosition[] = [];
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (!wanted.has(p.partition)) continue;
      const offset = committed.get(`${topic}:${p.partition}`);
      const next = offset === undefined || BigInt(offset) < 0n ? p.low : offset;
      out.push({ topic, partition: p.partition, next, highWatermark: p.high });
    }
  }
  return out;
}
